/**
 * The embeddable capture widget, bundled to `ui/dist/widget.js` (a classic
 * script, so `document.currentScript` works). Two ways to use it:
 *
 * ```html
 * <script src="https://cove.example.com/widget.js" data-site-key="site_..."></script>
 * <cove-lead-form site-key="site_..."></cove-lead-form>
 * ```
 *
 * The first renders a form right after the script tag (`data-heading` passes
 * through; `data-fields` applies while the site key has no widget settings,
 * or when they cannot be read: settings stored with the key decide); the
 * second places it anywhere on the page. Loading the script also posts any
 * lead an earlier visit could not deliver.
 *
 * @module
 */
import { announceOutcome, CoveLeadForm, useCourier } from "./lead_form.ts";
import { Courier, type KeyValueStorage } from "./pending.ts";

export * from "./rules.ts";
export * from "./pending.ts";
export * from "./config.ts";
export * from "./slots.ts";
export * from "./lead_form.ts";

/** Where this script was loaded from: the gateway that forms post to by default. */
const script = document.currentScript as HTMLScriptElement | null;
const gateway = script?.src ? new URL(script.src).origin : location.origin;

/** `localStorage`, or memory when the page may not use it (sandboxed frames, some privacy modes). */
function pageStorage(): KeyValueStorage {
  try {
    const probe = "cove.widget.probe";
    localStorage.setItem(probe, "1");
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    const memory = new Map<string, string>();
    return {
      getItem: (k) => memory.get(k) ?? null,
      setItem: (k, v) => void memory.set(k, v),
      removeItem: (k) => void memory.delete(k),
    };
  }
}

const courier = new Courier({ storage: pageStorage(), onOutcome: announceOutcome });
useCourier(() => courier);

class DefaultEndpointForm extends CoveLeadForm {
  override connectedCallback(): void {
    if (!this.endpoint) this.endpoint = gateway;
    super.connectedCallback();
  }
}

if (!customElements.get("cove-lead-form")) {
  customElements.define("cove-lead-form", DefaultEndpointForm);
}

if (script?.dataset.siteKey) {
  const form = document.createElement("cove-lead-form");
  form.setAttribute("site-key", script.dataset.siteKey);
  form.setAttribute("endpoint", gateway);
  for (const a of ["fields", "heading"]) {
    const v = script.getAttribute(`data-${a}`);
    if (v) form.setAttribute(a, v);
  }
  script.after(form);
}

// Leads an earlier visit kept: post them now, and again when the browser says it is online.
void courier.resume();
addEventListener("online", () => void courier.resume());
