/* Keyboard work in the moderation queue: j/k move, x ticks, Enter opens,
   r/o/s decide on the ticked comments (or the current one) in one request,
   u undoes the last decision, / searches. */
(function () {
  "use strict";

  function init() {
    var form = document.querySelector("[data-moderation-queue]");
    if (!form) return;
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-comment-row]"));
    var selectAll = form.querySelector("[data-select-all]");
    var current = -1;

    function focusRow(index) {
      if (!rows.length) return;
      current = Math.max(0, Math.min(rows.length - 1, index));
      rows.forEach(function (row, i) {
        row.classList.toggle("moderation-row--current", i === current);
        row.setAttribute("aria-current", i === current ? "true" : "false");
      });
      rows[current].focus();
    }

    function checkbox(row) {
      return row.querySelector("input[type=checkbox][name=comment]");
    }

    var submitting = false;

    function tickCurrentIfNone() {
      var ticked = rows.filter(function (row) { return checkbox(row).checked; });
      if (!ticked.length && current >= 0) checkbox(rows[current]).checked = true;
    }

    function decide(state) {
      if (submitting) return;
      var button = form.querySelector("[data-decision='" + state + "']");
      if (button) form.requestSubmit ? form.requestSubmit(button) : button.click();
    }

    // A decision is one request: with nothing ticked it applies to the current comment
    // (keyboard or mouse alike), and a second key press while it is sent does nothing.
    form.addEventListener("submit", function (event) {
      if (submitting) { event.preventDefault(); return; }
      tickCurrentIfNone();
      submitting = true;
    });

    if (selectAll) {
      selectAll.addEventListener("change", function () {
        rows.forEach(function (row) { checkbox(row).checked = selectAll.checked; });
      });
    }

    rows.forEach(function (row, i) {
      row.addEventListener("click", function (event) {
        if (event.target.closest("a, input, button")) return;
        focusRow(i);
      });
    });

    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (target.closest && target.closest("input[type=text], input[type=search], textarea, select")) return;
      switch (event.key) {
        case "j": focusRow(current + 1); break;
        case "k": focusRow(current - 1); break;
        case "x":
          if (current >= 0) { var box = checkbox(rows[current]); box.checked = !box.checked; }
          break;
        case "Enter":
          if (current >= 0 && target === rows[current]) {
            rows[current].querySelector("[data-open]").click();
          } else { return; }
          break;
        case "r": decide("relevant"); break;
        case "o": decide("off_topic"); break;
        case "s": decide("spam"); break;
        case "u":
          var undo = document.querySelector("[data-undo]");
          if (!undo) return;
          undo.click();
          break;
        case "/":
          var search = document.getElementById("id_q");
          if (search) search.focus();
          break;
        default: return;
      }
      event.preventDefault();
    });

    // Back from a decision: continue at the top of the (refreshed) queue.
    if (rows.length) focusRow(0);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
