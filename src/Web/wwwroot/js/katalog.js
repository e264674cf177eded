// Katalog search: a changed filter updates the results in place. The page is fetched as it would be without this
// script, its [data-katalog-swap] regions replace ours, the URL follows (replaceState, so "Zurück zur Suche" and
// reloading keep the search) and a live region says how many offers there are. Keyboard focus stays on the control the
// user is on: no reload and no focus move on a keystroke (WCAG 3.2.2). Without JavaScript the buttons submit the form.
(() => {
  "use strict";
  const form = document.getElementById("katalog-form");
  if (!form || !window.fetch || !window.DOMParser) return;
  const live = form.querySelector("[data-katalog-live]");
  const results = form.querySelector(".katalog-results");
  let controller = null;
  let timer = 0;

  // The tablet layout folds the filters away so that the first result is on the first screen.
  const narrow = window.matchMedia("(max-width: 56rem)");
  const panel = form.querySelector("details[data-fold-narrow]");
  const fold = () => { if (panel) panel.open = !narrow.matches; };
  fold();
  narrow.addEventListener("change", fold);

  const urlOf = () => {
    const params = new URLSearchParams();
    for (const [k, v] of new FormData(form)) if (typeof v === "string" && v.trim() !== "") params.append(k, v);
    const qs = params.toString();
    return "/katalog" + (qs ? "?" + qs : "");
  };

  const swap = (doc) => {
    const active = document.activeElement;
    for (const fresh of doc.querySelectorAll("[data-katalog-swap]")) {
      const key = fresh.getAttribute("data-katalog-swap");
      const mine = form.querySelector(`[data-katalog-swap="${CSS.escape(key)}"]`);
      if (!mine) continue;
      if (mine.contains(active) && mine.matches("fieldset[data-facet]")) {
        // The user is on one of these checkboxes: only the counts change, the focused element stays where it is.
        for (const label of fresh.querySelectorAll("label[for]")) {
          const input = document.getElementById(label.htmlFor);
          const count = label.querySelector(".facet-count");
          if (input && input.closest("fieldset") === mine) {
            const mineCount = input.closest("label").querySelector(".facet-count");
            if (mineCount && count) mineCount.textContent = count.textContent;
          } else {
            mine.append(document.importNode(label, true));
          }
        }
        continue;
      }
      mine.innerHTML = fresh.innerHTML;
      mine.hidden = fresh.hidden;
    }
    // A link in the replaced results had the focus: it goes to the count, never to the top of the page.
    if (active && active !== document.body && !document.contains(active)) document.getElementById("ergebnisse")?.focus();
  };

  const announce = (text) => {
    if (!live) return;
    live.textContent = "";
    // A short pause so that screen readers announce the same text again.
    setTimeout(() => { live.textContent = text; }, 50);
  };

  const refresh = async (afterSwap) => {
    clearTimeout(timer);
    if (controller) controller.abort();
    controller = new AbortController();
    const url = urlOf();
    results.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", signal: controller.signal });
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      if (!doc.getElementById("katalog-form")) { window.location.assign(url); return; } // signed out or refused
      swap(doc);
      history.replaceState(null, "", url);
      const count = document.getElementById("ergebnisse");
      announce(count ? count.textContent.trim() + " gefunden" : "");
      results.setAttribute("aria-busy", "false");
      if (afterSwap) afterSwap();
    } catch (e) {
      if (e.name !== "AbortError") { results.setAttribute("aria-busy", "false"); announce("Die Suche ist gerade nicht erreichbar. Bitte „Filter anwenden“ wählen."); }
    }
  };

  // Changes of a checkbox or a select apply at once; typed fields when they are left (change), debounced so that
  // running through the radius options with the arrow keys asks the server once.
  form.addEventListener("change", (e) => {
    if (!e.target.matches("input, select")) return;
    clearTimeout(timer);
    timer = setTimeout(() => refresh(), 250);
  });

  // "Suchen", "Filter anwenden", "Sortieren" and Enter in a field: the same, in place.
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    refresh();
  });

  // Removing one active filter: clear its control, update, and put the focus on the next remaining filter (or the count).
  form.addEventListener("click", (e) => {
    const link = e.target.closest("a[data-remove-name], a[data-remove-all]");
    if (!link || e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    const all = link.hasAttribute("data-remove-all");
    const index = Array.from(form.querySelectorAll("a[data-remove-name]")).indexOf(link);
    const name = link.getAttribute("data-remove-name");
    const value = link.getAttribute("data-remove-value");
    for (const control of form.querySelectorAll("input[name], select[name]")) {
      if (control.closest(".katalog-query") || control.name === "sort") continue;
      if (!all && control.name !== name && !(name === "openOn" && control.name === "openTime")) continue;
      if (control.type === "checkbox") {
        if (all || control.value.toLowerCase() === (value || "").toLowerCase()) control.checked = false;
      } else control.value = "";
    }
    refresh(() => {
      const chips = form.querySelectorAll("a[data-remove-name]");
      const next = chips[Math.min(Math.max(index, 0), chips.length - 1)];
      (next || document.getElementById("ergebnisse")).focus();
    });
  });
})();
