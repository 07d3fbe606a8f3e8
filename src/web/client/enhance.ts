/**
 * Progressive enhancement shared by every page that loads it: forms marked `data-autosubmit` submit when
 * one of their controls changes (facet filters, sort), and submit buttons disable themselves once pressed
 * (a double click sends one form; the server's idempotency key is the real guarantee).
 */
for (const form of document.querySelectorAll<HTMLFormElement>("form[data-autosubmit]")) {
  form.addEventListener("change", () => form.requestSubmit());
  for (const button of form.querySelectorAll<HTMLElement>("[data-autosubmit-hide]")) button.hidden = true;
}
for (const form of document.querySelectorAll<HTMLFormElement>("form[data-once]")) {
  form.addEventListener("submit", (event) => {
    if (form.dataset.sent === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sent = "1";
    for (const button of form.querySelectorAll<HTMLButtonElement>("button[type=submit]")) {
      button.setAttribute("aria-disabled", "true");
    }
  });
}
