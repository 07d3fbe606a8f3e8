/**
 * Quantity steppers on listing pages: −/+ buttons around the quantity field that move by the order
 * increment and never go below the minimum order; as the quantity changes, the tier row that applies is
 * highlighted and the unit price and line total follow. Without this script the field still works
 * (min/step validation) and the server computes the same on "Update price" or on adding to the cart.
 */

/** The quantity the seller accepts nearest above `value`: min, min + step, min + 2·step, … */
function snap(value: number, min: number, step: number): number {
  if (!Number.isFinite(value) || value <= min) return min;
  return min + Math.ceil((value - min) / step) * step;
}

function moneyFormat(locale: string, currency: string) {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return (minor: number) => format.format(minor / 10 ** digits);
}

function setUp(form: HTMLFormElement) {
  const found = form.querySelector<HTMLInputElement>("input[data-quantity]");
  if (!found) return;
  const input: HTMLInputElement = found;
  const min = Math.max(1, Number(input.min) || 1);
  const step = Math.max(1, Number(input.step) || 1);
  const locale = form.dataset.locale ?? "en-GB";
  const money = moneyFormat(locale, form.dataset.currency ?? "EUR");
  const number = new Intl.NumberFormat(locale);
  const rows = [...document.querySelectorAll<HTMLTableRowElement>("tr[data-tier-min]")];
  const unitText = document.querySelector<HTMLElement>("[data-unit-price-text]");
  const tierLabel = document.querySelector<HTMLElement>("[data-tier-label]");
  const total = form.querySelector<HTMLElement>("[data-line-total]");
  total?.setAttribute("aria-live", "polite");

  const button = (label: string, text: string, delta: number) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.setAttribute("aria-label", label);
    b.setAttribute("aria-controls", input.id);
    b.addEventListener("click", () => {
      const current = snap(Number(input.value), min, step);
      input.value = String(Math.max(min, current + delta));
      update();
    });
    return b;
  };
  input.before(button("Decrease quantity", "−", -step));
  input.after(button("Increase quantity", "+", step));
  for (const hidden of form.querySelectorAll<HTMLElement>("[data-stepper-hide]")) hidden.hidden = true;

  function update() {
    const quantity = Number(input.value);
    if (!Number.isInteger(quantity) || quantity < 1) return;
    let active = rows[0];
    for (const row of rows) if (Number(row.dataset.tierMin) <= quantity) active = row;
    for (const row of rows) {
      const on = row === active;
      row.classList.toggle("highlight", on);
      if (on) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
    }
    const unit = Number(active?.dataset.unitPrice ?? Number.NaN);
    if (!Number.isFinite(unit)) return;
    if (unitText) unitText.textContent = money(unit);
    if (tierLabel) tierLabel.textContent = number.format(quantity);
    if (total) total.textContent = money(unit * quantity);
  }

  input.addEventListener("input", update);
  input.addEventListener("change", () => {
    input.value = String(snap(Number(input.value), min, step));
    update();
  });
}

for (const form of document.querySelectorAll<HTMLFormElement>("form[data-stepper]")) setUp(form);
