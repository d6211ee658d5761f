// Progressive enhancement only: the survey works without JavaScript.
// After a refused submission, move focus to the error summary so screen-reader and keyboard
// users hear what to fix first.
document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("satisfaction-errors");
    if (summary) {
        summary.focus();
    }
});
