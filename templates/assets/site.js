/* 公开 Gongkai — the one script of the site, and the pages work without it.
   A table wider than its region gets a visible cue: a line above it and shadows at the edges that can
   still scroll (style.css draws them from the data-scroll attribute). */
(function () {
  "use strict";
  function mark(region) {
    var wide = region.scrollWidth > region.clientWidth + 1;
    var hint = region.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) {
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.textContent = "表格较宽，可左右滑动（或用方向键）查看全部栏目 →";
      region.parentNode.insertBefore(hint, region);
    }
    hint.hidden = !wide;
    if (!wide) {
      region.removeAttribute("data-scroll");
      return;
    }
    var left = region.scrollLeft > 1;
    var right = region.scrollLeft + region.clientWidth < region.scrollWidth - 1;
    region.setAttribute("data-scroll", (left ? "left " : "") + (right ? "right" : ""));
  }
  function markAll() {
    document.querySelectorAll(".table-scroll").forEach(mark);
  }
  document.addEventListener("DOMContentLoaded", function () {
    markAll();
    document.querySelectorAll(".table-scroll").forEach(function (region) {
      region.addEventListener("scroll", function () { mark(region); }, { passive: true });
    });
    window.addEventListener("resize", markAll);
  });
})();
