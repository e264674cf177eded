// Referral forms: after a refused submit, move keyboard and screen-reader focus to the error summary.
(() => {
  "use strict";
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();

// Consent papers: the print button of the declaration (no inline script under the CSP).
(() => {
  "use strict";
  for (const b of document.querySelectorAll("[data-print]")) b.addEventListener("click", () => window.print());
})();
