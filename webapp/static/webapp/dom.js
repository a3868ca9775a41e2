// A tiny element helper. Everything goes in as text or as a property, never as HTML:
// the one way to show server HTML is safehtml.js.

// Set as properties (they are the live state of a control, not its default).
const PROPERTIES = new Set(["value", "checked", "disabled", "selected", "hidden", "multiple"]);

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = String(value);
    else if (key === "testid") element.dataset.testid = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") {
      element.addEventListener(key.slice(2), value);
    } else if (PROPERTIES.has(key)) element[key] = value;
    else element.setAttribute(key, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

export function debounce(fn, delay) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), delay);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

// Replace the children of ``parent``; null, undefined and false are skipped (the DOM's
// replaceChildren would show them as text).
export function fill(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}
