// Printable pages (paper forms, dossier slips): a button marked data-print opens the print dialog.
document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
        button.addEventListener("click", function () { window.print(); });
    });
});
