// Kiosk: back to an empty start after data-idle-seconds without a touch; never restore a page
// from the back/forward cache. The page passes its values on this script's data- attributes.
(function () {
    var script = document.currentScript,
        start = script.dataset.start,
        idleSeconds = Number(script.dataset.idleSeconds),
        timer;
    function reset() { clearTimeout(timer); timer = setTimeout(function () { location.replace(start); }, idleSeconds * 1000); }
    ["pointerdown", "keydown", "input", "scroll"].forEach(function (name) { addEventListener(name, reset, true); });
    addEventListener("pageshow", function (event) { if (event.persisted) { location.replace(start); } });
    reset();
})();
