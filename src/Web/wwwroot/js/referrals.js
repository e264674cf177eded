// Referral forms: after a refused submit, move keyboard and screen-reader focus to the error summary.
(() => {
  "use strict";
  const summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
})();
