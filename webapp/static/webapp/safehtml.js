// Telegram HTML from the server (previews, rendered notes). The server already sanitized
// it; this is the second lock: only Telegram's tags survive, only href (http, https, tg)
// and harmless classes, and everything is rebuilt node by node, never assigned as HTML
// to the live document.
import { openLink } from "./telegram.js";

const ALLOWED = new Set([
  "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
  "blockquote", "tg-spoiler", "span", "tg-emoji",
]);
// Their content is not text to show: dropped with the element.
const DROPPED = new Set([
  "script", "style", "template", "iframe", "object", "embed", "noscript", "textarea",
  "title", "svg", "math", "select", "head", "meta", "link",
]);
const SCHEMES = new Set(["http:", "https:", "tg:"]);
const CLASSES = /^(tg-spoiler|language-[\w+#.-]+)$/;

export function telegramFragment(html) {
  const template = document.createElement("template");
  template.innerHTML = typeof html === "string" ? html : "";
  const fragment = document.createDocumentFragment();
  copyChildren(template.content, fragment);
  return fragment;
}

// Show ``html`` in ``container`` (styled with white-space: pre-wrap by .tg-html).
export function setTelegramHtml(container, html) {
  container.classList.add("tg-html");
  container.replaceChildren(telegramFragment(html));
  if (!container.dataset.wired) {
    container.dataset.wired = "1";
    container.addEventListener("click", onClick);
  }
}

function copyChildren(from, to) {
  for (const node of from.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) to.append(node.data);
    else if (node.nodeType === Node.ELEMENT_NODE) copyElement(node, to);
  }
}

function copyElement(node, to) {
  const tag = node.localName;
  if (DROPPED.has(tag)) return;
  if (tag === "br") {
    to.append("\n");
    return;
  }
  const spoiler = node.classList.contains("tg-spoiler");
  if (!ALLOWED.has(tag) || (tag === "span" && !spoiler)) {
    copyChildren(node, to); // unknown wrapper: keep its text
    return;
  }
  const element = document.createElement(tag);
  const classes = [...node.classList].filter((name) => CLASSES.test(name));
  if (classes.length) element.className = classes.join(" ");
  if (tag === "a") {
    const href = safeHref(node.getAttribute("href"));
    if (href) element.setAttribute("href", href);
    element.setAttribute("rel", "noopener noreferrer");
    element.setAttribute("target", "_blank");
  }
  copyChildren(node, element);
  to.append(element);
}

function safeHref(value) {
  if (!value) return null;
  try {
    const url = new URL(value.trim()); // no base: a relative address is refused
    return SCHEMES.has(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function onClick(event) {
  const spoiler = event.target.closest("tg-spoiler, .tg-spoiler");
  if (spoiler && !spoiler.classList.contains("revealed")) {
    spoiler.classList.add("revealed");
    event.preventDefault();
    return;
  }
  const link = event.target.closest("a[href]");
  if (link) {
    event.preventDefault();
    openLink(link.getAttribute("href"));
  }
}
