// Netzwerk: small progressive enhancements. Every page works without this file.
(() => {
  "use strict";
  // Elements with data-confirm ask before submitting (cancel, revoke, close).
  document.addEventListener("submit", (e) => {
    const msg = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
})();
