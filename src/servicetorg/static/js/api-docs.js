// The API documentation page (templates/drf_spectacular/swagger_ui.html).
// 1. A Swagger UI plugin, added to every SwaggerUIBundle(...) call of drf-spectacular's initialising
//    script, puts the controls the widget renders outside its <main> (Authorize, the server choice) in
//    labelled regions, so that all content of the page is in a landmark (axe "region").
// 2. Controls the widget leaves without a name get one as they appear: an enum parameter's <select>
//    (its parameter's name), the request body's <textarea>, the dialog's close button, and each
//    operation's responses table (role=region; named by its operation, so no two are alike).
(function () {
  "use strict";
  var original = window.SwaggerUIBundle;
  if (!original) return;
  function inRegion(label) {
    return function (Original, system) {
      return function (props) {
        var h = system.React.createElement;
        return h("section", { "aria-label": label, className: "api-docs-region" }, h(Original, props));
      };
    };
  }
  function landmarks() {
    return {
      wrapComponents: {
        AuthorizeBtnContainer: inRegion("Authorization"),
        ServersContainer: inRegion("Servers"),
        SchemesContainer: inRegion("Schemes"),
      },
    };
  }
  function bundle(options) {
    var plugins = (options && options.plugins) || [];
    return original(Object.assign({}, options, { plugins: plugins.concat([landmarks]) }));
  }
  Object.assign(bundle, original);
  window.SwaggerUIBundle = bundle;

  function operationName(element) {
    var block = element.closest(".opblock");
    if (!block) return "";
    var method = block.querySelector(".opblock-summary-method");
    var path = block.querySelector(".opblock-summary-path");
    return ((method ? method.textContent : "") + " " + (path ? path.textContent : "")).trim();
  }
  function name(element, label) {
    if (label && !element.getAttribute("aria-label") && !element.getAttribute("aria-labelledby")) {
      element.setAttribute("aria-label", label);
    }
  }
  function nameControls(root) {
    root.querySelectorAll("tr[data-param-name] select, tr[data-param-name] input").forEach(function (el) {
      if (!el.labels || !el.labels.length) name(el, el.closest("tr").getAttribute("data-param-name"));
    });
    root.querySelectorAll(".body-param textarea, .opblock-section-request-body textarea").forEach(function (el) {
      name(el, ("Request body " + operationName(el)).trim());
    });
    root.querySelectorAll("table.responses-table[role=region]").forEach(function (el) {
      name(el, ("Responses " + operationName(el)).trim());
    });
    root.querySelectorAll("button.close-modal").forEach(function (el) { name(el, "Close"); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    if (!root) return;
    new MutationObserver(function () { nameControls(root); }).observe(root, { childList: true, subtree: true });
    nameControls(root);
  });
})();
