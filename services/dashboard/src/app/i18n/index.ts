import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import { en } from "./en.js";
import { zh } from "./zh.js";

export const LANGUAGES = ["en", "zh"] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = "coken.dashboard.language";

/** The language saved in this browser, else the browser's own (Chinese for any zh-*), else English. */
function initialLanguage(): Language {
  const saved = window.localStorage.getItem(STORAGE_KEY);
  if (saved === "en" || saved === "zh") return saved;
  return window.navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en";
}

/** Starts i18next with both languages; the page's `lang` attribute follows the language. */
export function setupI18n(): void {
  const lng = initialLanguage();
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, zh: { translation: zh } },
    lng,
    fallbackLng: "en",
    interpolation: { escapeValue: false },
  });
  document.documentElement.lang = lng === "zh" ? "zh-CN" : "en";
  i18next.on("languageChanged", (l) => {
    document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
    window.localStorage.setItem(STORAGE_KEY, l);
  });
}

/** The BCP 47 locale for numbers and dates in a language. */
export const localeOf = (language: string): string => (language === "zh" ? "zh-CN" : "en-GB");
