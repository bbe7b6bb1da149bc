// Runs after require.js and before the widget embedder: tell require.js that
// the anywidget front end and the embedder's own files are served by this site
// (_static/vendor/), so no page asks a CDN, or a wrong folder, for them.
(function () {
  var vendor = new URL("vendor/", document.currentScript.src).href;
  window.requirejs.config({
    paths: {
      anywidget: vendor + "anywidget",
      "@jupyter-widgets/html-manager": vendor + "html-manager",
    },
  });
})();
