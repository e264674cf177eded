// Katalog search: submit the filter form as soon as a facet checkbox or select changes.
// Without JavaScript the "Filter anwenden" button does the same.
(() => {
  "use strict";
  const form = document.getElementById("katalog-form");
  if (!form) return;
  form.addEventListener("change", (e) => {
    const t = e.target;
    if (t.matches("input[type=checkbox], select")) form.requestSubmit();
  });
})();
