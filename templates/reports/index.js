// Renders the audit matrix from the JSON block. All data goes through textContent (never innerHTML).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("audit-data").textContent);
  var SYMBOL = {present: "✓", partial: "△", missing: "✗", unreadable: "?", waived: "免", ignored: "–"};
  var LABEL = {present: "あり", partial: "不十分", missing: "なし", unreadable: "読み取れません", waived: "免除", ignored: "対象外"};
  var RANK = {missing: 0, unreadable: 0, partial: 1, waived: 2, present: 3, ignored: 4};
  var reqs = data.requirements;
  var schools = data.schools.slice();
  var sortKey = null, sortDir = 1, lastCell = null;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function header() {
    var row = document.getElementById("head-row");
    row.textContent = "";
    var th = el("th", "学校", "school");
    th.dataset.key = "name";
    row.appendChild(th);
    var th2 = el("th", "必須なし", "");
    th2.dataset.key = "required_missing";
    row.appendChild(th2);
    reqs.forEach(function (r, i) {
      var h = el("th", null, "req " + r.severity);
      h.appendChild(el("span", String(i + 1), "num"));
      h.appendChild(el("span", r.short, "t"));
      h.title = (i + 1) + " " + r.title + "（" + (r.severity === "required" ? "必須" : "推奨") + "）" + r.id;
      h.setAttribute("aria-label", r.title);
      h.tabIndex = 0;
      h.dataset.key = r.id;
      row.appendChild(h);
    });
    row.querySelectorAll("th").forEach(function (h) {
      function sortBy() {
        if (sortKey === h.dataset.key) sortDir = -sortDir; else { sortKey = h.dataset.key; sortDir = 1; }
        render();
      }
      h.addEventListener("click", sortBy);
      h.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); sortBy(); } });
    });
  }

  function visible(s) {
    var kind = document.getElementById("filter-kind").value;
    var status = document.getElementById("filter-status").value;
    var name = document.getElementById("filter-name").value.trim();
    if (kind && s.kind !== kind) return false;
    if (name && s.name.indexOf(name) < 0) return false;
    if (status === "fail" && !(s.status === "ok" && !s.passes)) return false;
    if (status === "unreadable" && s.status !== "unreadable") return false;
    if (status === "pass" && !s.passes) return false;
    return true;
  }

  function sorted() {
    var list = schools.filter(visible);
    if (!sortKey) return list;
    return list.sort(function (a, b) {
      var x, y;
      if (sortKey === "name") { x = a.name; y = b.name; return sortDir * x.localeCompare(y, "ja"); }
      if (sortKey === "required_missing") { x = a.status === "unreadable" ? 99 : a.required_missing; y = b.status === "unreadable" ? 99 : b.required_missing; }
      else { x = RANK[a.cells[sortKey].status]; y = RANK[b.cells[sortKey].status]; }
      return sortDir * (x - y);
    });
  }

  function render() {
    var body = document.getElementById("body");
    body.textContent = "";
    var list = sorted();
    list.forEach(function (s) {
      var tr = el("tr");
      var name = el("td", s.name, "school");
      name.title = s.name;
      if (s.status === "unreadable") name.appendChild(el("span", "読み取れません", "badge"));
      if (s.changes && s.changes.improved.length) name.appendChild(el("span", "改善 " + s.changes.improved.length, "badge up"));
      if (s.changes && s.changes.regressed.length) name.appendChild(el("span", "後退 " + s.changes.regressed.length, "badge down"));
      tr.appendChild(name);
      tr.appendChild(el("td", s.status === "unreadable" ? "—" : String(s.required_missing)));
      reqs.forEach(function (r) {
        var c = s.cells[r.id];
        var td = el("td", null, "cell-td");
        td.tabIndex = 0;
        td.dataset.school = s.id;
        td.dataset.req = r.id;
        td.setAttribute("aria-label", s.name + " " + r.title + " " + LABEL[c.status]);
        td.appendChild(el("span", SYMBOL[c.status], "cell s-" + c.status));
        td.addEventListener("click", function () { show(s, r, td); });
        td.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); show(s, r, td); } });
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    document.getElementById("count").textContent = list.length + " / " + schools.length + " 校を表示";
  }

  function show(s, r, td) {
    document.querySelectorAll("td.selected").forEach(function (x) { x.classList.remove("selected"); });
    td.classList.add("selected");
    var c = s.cells[r.id];
    var panel = document.getElementById("details");
    var box = document.getElementById("details-body");
    box.textContent = "";
    var title = el("h3", s.name + "：" + r.title);
    title.id = "details-title";
    box.appendChild(title);
    var st = el("p");
    st.appendChild(el("span", SYMBOL[c.status] + " " + LABEL[c.status], "cell s-" + c.status));
    st.appendChild(el("span", "　" + (r.severity === "required" ? "必須" : "推奨") + "　" + r.id));
    box.appendChild(st);
    if (c.waived) box.appendChild(el("p", "免除の理由：" + c.waived));
    if (c.parts) box.appendChild(el("p", "足りない点：" + c.parts, "lack"));
    else if (c.note) box.appendChild(el("p", c.note, "note"));
    if (c.evidence.length) {
      box.appendChild(el("p", c.status === "present" ? "根拠となる記述：" : "今の記述：", "label"));
      c.evidence.forEach(function (e) {
        var q = el("blockquote", e.text, "evidence");
        q.appendChild(el("div", e.where, "where"));
        box.appendChild(q);
      });
    }
    if (c.status !== "present") {
      box.appendChild(el("p", "書き加えるべき内容：" + r.fix, "fix"));
      if (r.example) box.appendChild(el("p", "記載例：" + r.example, "example"));
      box.appendChild(el("p", "理由：" + r.why + "（" + data.checklist.policy + " " + r.source + "）", "why"));
    }
    var more = el("p", null, "hint");
    var link = el("a", "この項目の詳しい説明");
    link.href = "#req-" + r.id;
    more.appendChild(link);
    more.appendChild(el("span", "（" + r.explain + "）"));
    box.appendChild(more);
    panel.hidden = false;
    lastCell = td;
    document.getElementById("details-close").focus();
  }

  function hide() {
    document.getElementById("details").hidden = true;
    if (lastCell) lastCell.focus();
  }

  function extras() {
    var kinds = {};
    schools.forEach(function (s) { kinds[s.kind] = true; });
    var select = document.getElementById("filter-kind");
    Object.keys(kinds).sort().forEach(function (k) { var o = el("option", k); o.value = k; select.appendChild(o); });
    ["filter-kind", "filter-status", "filter-name"].forEach(function (id) {
      document.getElementById(id).addEventListener("input", render);
      document.getElementById(id).addEventListener("change", render);
    });
    var foot = document.getElementById("coverage-row");
    foot.appendChild(el("td", "記載率", "school"));
    foot.appendChild(el("td", ""));
    var tbody = document.querySelector("#coverage-table tbody");
    reqs.forEach(function (r) {
      var pct = Math.round(100 * (data.coverage[r.id] || 0));
      foot.appendChild(el("td", pct + "%"));
      var tr = el("tr");
      tr.appendChild(el("td", r.title + "（" + r.id + "）"));
      tr.appendChild(el("td", r.severity === "required" ? "必須" : "推奨"));
      var td = el("td");
      var bar = el("span", null, "bar");
      bar.style.width = pct + "px";
      td.appendChild(bar);
      td.appendChild(el("span", pct + "%"));
      tr.appendChild(td);
      tbody.appendChild(tr);
    });
    var ranking = document.getElementById("ranking");
    schools.slice().sort(function (a, b) {
      var x = a.status === "unreadable" ? 99 : a.required_missing, y = b.status === "unreadable" ? 99 : b.required_missing;
      return y - x;
    }).filter(function (s) { return !s.passes; }).forEach(function (s) {
      ranking.appendChild(el("li", s.name + "：" + (s.status === "unreadable" ? "読み取れません。" + s.reason : "必須項目の不足 " + s.required_missing + " 件")));
    });
  }

  header();
  extras();
  render();
  document.getElementById("details-close").addEventListener("click", hide);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !document.getElementById("details").hidden) hide(); });
  document.getElementById("details").addEventListener("click", function (e) {
    if (e.target.tagName === "A") document.getElementById("details").hidden = true;
  });
})();
