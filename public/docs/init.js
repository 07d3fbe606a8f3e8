// Starts the interactive API reference against this deployment's OpenAPI document.
window.addEventListener("load", () => {
  window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#api-reference",
    deepLinking: true,
    tryItOutEnabled: true,
    withCredentials: true,
    // No badge from validator.swagger.io: the page loads nothing from other origins (see its CSP).
    validatorUrl: null,
  });
});
