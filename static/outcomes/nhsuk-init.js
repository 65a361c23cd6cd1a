// Start NHS.UK frontend's components (header menu, skip link, error summary focus...).
// The frontend expects <body class="nhsuk-frontend-supported">, which its templates set with
// an inline script; our Content Security Policy allows none, so this module sets it (a
// browser that runs modules supports the frontend).
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("nhsuk-frontend-supported");
initAll();
