// Netzwerk: small progressive enhancements. Every page works without this file.
(() => {
  "use strict";
  // Elements with data-confirm ask before submitting (cancel, revoke, close).
  document.addEventListener("submit", (e) => {
    const msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });

  // Loading feedback: the button that sent a form says so ("Wird gesendet …", aria-busy) and takes no second click.
  // It is disabled only after the browser has read the form (a disabled submitter would drop its name/value), and only
  // when nothing else cancelled the submit (a refused confirmation, the catalogue's in-place search). The server stays
  // the guard against double submits; this only spares the user the wait without feedback.
  const busy = new Set();
  const release = () => {
    for (const b of busy) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
      if (b.dataset.idleText !== undefined) b.textContent = b.dataset.idleText;
    }
    busy.clear();
  };
  document.addEventListener("submit", (e) => {
    if (e.defaultPrevented) return;
    const form = e.target;
    const button = e.submitter;
    if (!(button instanceof HTMLButtonElement) || form.hasAttribute("data-no-busy") || form.target) return;
    setTimeout(() => {
      if (e.defaultPrevented) return;
      if (button.children.length === 0) {
        button.dataset.idleText = button.textContent;
        button.textContent = "Wird gesendet …";
      }
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
      busy.add(button);
      // A download answers without leaving the page: give the button back after a while.
      setTimeout(release, 15000);
    }, 0);
  });
  // Back to a page from the browser's cache: its buttons work again.
  window.addEventListener("pageshow", (e) => { if (e.persisted) release(); });
})();
