/* policy-kit web app: small additions to pages that work without JavaScript.
   - school form: rows can be added; errors appear next to a field while typing; the preview follows
   - forms with data-busy: the button says what is happening and cannot be pressed twice
   - audit progress: polls the job's status and opens the result when it is ready
   Text from the server is only ever set with textContent. */
"use strict";

(function () {
  const root = document.body.dataset.root || "";

  function debounce(fn, ms) {
    let timer = null;
    return function () { clearTimeout(timer); timer = setTimeout(fn, ms); };
  }

  // ------------------------------------------------------------------ repeatable rows
  function addRow(list) {
    const rows = list.querySelectorAll(":scope > li.row");
    const last = rows[rows.length - 1];
    if (!last) return;
    let next = 0;
    rows.forEach(function (r) { next = Math.max(next, Number(r.dataset.row) + 1); });
    const old = last.dataset.row;
    const copy = last.cloneNode(true);
    copy.dataset.row = String(next);
    const escape = function (text) { return text.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"); };
    const dotted = new RegExp("^(" + escape(list.dataset.rows) + "\\.)" + old + "(?=$|\\.)");
    const dashed = new RegExp("(" + escape(list.dataset.rows.replace(/\./g, "-")) + "-)" + old + "(?=$|-)");
    copy.querySelectorAll("[name], [id], [for], [data-error-for], [aria-describedby]").forEach(function (el) {
      ["name", "data-error-for"].forEach(function (attr) {
        if (el.hasAttribute(attr)) el.setAttribute(attr, el.getAttribute(attr).replace(dotted, "$1" + next));
      });
      ["id", "for", "aria-describedby"].forEach(function (attr) {
        if (el.hasAttribute(attr)) el.setAttribute(attr, el.getAttribute(attr).replace(dashed, "$1" + next));
      });
      if (el.matches("input, textarea")) el.value = "";
      if (el.matches(".error")) { el.textContent = ""; el.hidden = true; }
    });
    copy.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
    list.appendChild(copy);
    const input = copy.querySelector("input, textarea");
    if (input) input.focus();
  }

  document.querySelectorAll("button[data-add]").forEach(function (button) {
    const list = document.querySelector('ol[data-rows="' + button.dataset.add + '"]');
    if (!list) return;
    const max = Number(button.dataset.max || 0);  // the most rows the field takes (e.g. 8 promises)
    const full = function () { return max > 0 && list.querySelectorAll(":scope > li.row").length >= max; };
    button.hidden = full();
    button.addEventListener("click", function () {
      addRow(list);
      button.hidden = full();
    });
  });

  // ------------------------------------------------------------------ live errors and preview
  const form = document.getElementById("school-form");
  if (form) {
    const previewButton = document.getElementById("preview-button");
    const summary = document.getElementById("error-summary");
    const count = document.getElementById("error-count");

    function showErrors(result) {
      form.querySelectorAll("[data-error-for]").forEach(function (slot) {
        const message = result.errors[slot.dataset.errorFor];
        slot.textContent = message || "";
        slot.hidden = !message;
        const box = slot.closest(".field, .cell");
        if (box) box.classList.toggle("invalid", Boolean(message) || box.querySelector(".error:not([hidden])") !== null);
      });
      if (summary && count) {
        count.textContent = String(result.count);
        summary.hidden = result.count === 0;
      }
    }

    const check = debounce(function () {
      fetch(root + "/school/validate", { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (result) {
          if (!result) return;
          showErrors(result);
          if (result.valid && previewButton) form.requestSubmit(previewButton);
        })
        .catch(function () { /* the server answers the next time */ });
    }, 700);

    form.addEventListener("input", check);
    form.addEventListener("change", check);
    if (previewButton) {
      document.querySelectorAll('input[name="_doc"]').forEach(function (radio) {
        radio.addEventListener("change", function () { form.requestSubmit(previewButton); });
      });
      form.requestSubmit(previewButton);
    }
  }

  // ------------------------------------------------------------------ busy buttons
  document.querySelectorAll("form").forEach(function (f) {
    const button = f.querySelector("button[data-busy]");
    if (!button) return;
    f.addEventListener("submit", function () {
      setTimeout(function () { button.disabled = true; button.textContent = button.dataset.busy; }, 0);
    });
  });

  // ------------------------------------------------------------------ audit progress
  const job = document.getElementById("job");
  if (job && !job.dataset.finished) {
    const state = document.getElementById("job-state");
    const bar = document.getElementById("job-progress");
    const counter = document.getElementById("job-count");
    const current = document.getElementById("job-current");
    const poll = function () {
      fetch(job.dataset.statusUrl, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) { setTimeout(poll, 2000); return; }
          state.textContent = s.state_ja;
          bar.max = Math.max(s.total, 1);
          bar.value = s.done;
          counter.textContent = s.done + " / " + s.total;
          current.textContent = s.current ? "（最後に終わった学校：" + s.current + "）" : "";
          if (s.state === "done") { window.location.assign(job.dataset.auditUrl + s.audit); return; }
          if (s.state === "failed") { window.location.reload(); return; }
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 2000); });
    };
    setTimeout(poll, 500);
  }
})();
