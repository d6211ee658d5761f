// Progressive enhancement only: the survey works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
    // After a refused submission, move focus to the error summary so screen-reader and
    // keyboard users hear what to fix first.
    var summary = document.getElementById("satisfaction-errors");
    if (summary) {
        summary.focus();
    }
    // The thank-you page answers the POST itself: show its own address, so that a reload
    // shows the thanks again instead of sending the answers twice.
    var thanks = document.querySelector(".satisfaction-thanks[data-address]");
    if (thanks && window.history && window.history.replaceState) {
        window.history.replaceState(null, "", thanks.getAttribute("data-address"));
    }
});
