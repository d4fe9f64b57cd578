// The public page of a 码上巡察 channel: no framework, no external resource. Texts come from the
// JSON block the server fills from its message catalogue.
(function () {
  "use strict";
  var T = JSON.parse(document.getElementById("texts").textContent);
  var token = location.pathname.split("/").filter(Boolean)[1] || "";
  function $(id) { return document.getElementById(id); }
  function t(key, args) {
    var s = T[key] || key;
    Object.keys(args || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(args[k])); });
    return s;
  }
  function show(el, on) { el.hidden = !on; }

  // A problem+json answer shown beside the form: its detail, and each bad field marked.
  function problem(res, box, form) {
    return res.json().catch(function () { return {}; }).then(function (p) {
      box.textContent = "";
      if (form) {
        Array.prototype.forEach.call(form.querySelectorAll(".bad"), function (e) { e.classList.remove("bad"); });
      }
      var fields = p.fields || [];
      if (!fields.length) { box.textContent = p.detail || t("public_page.failed"); }
      fields.forEach(function (f) {
        var line = document.createElement("div");
        line.textContent = f.message;
        box.appendChild(line);
        var name = String(f.field).replace(/\[\d+\]$/, "");
        var input = form && form.querySelector('[name="' + name + '"]');
        if (input) { input.classList.add("bad"); }
      });
    });
  }
  function offline(box) { box.textContent = t("public_page.offline"); }

  // Tabs.
  function tab(which) {
    $("tab-report").className = which === "report" ? "on" : "";
    $("tab-follow").className = which === "follow" ? "on" : "";
    show($("v-report"), which === "report");
    show($("v-follow"), which === "follow");
  }
  $("tab-report").onclick = function () { tab("report"); };
  $("tab-follow").onclick = function () { tab("follow"); };

  // The channel.
  fetch("/api/v1/public/channels/" + encodeURIComponent(token)).then(function (res) {
    if (!res.ok) { return problem(res, $("load-err")).then(function () { show($("load-err"), true); }); }
    return res.json().then(function (c) {
      $("who").textContent = t("public_page.who", { owner: c.owner_name, team: c.team_name || "", org: c.org_name });
      $("scope").textContent = c.scope;
      $("elsewhere").textContent = c.elsewhere;
      $("until").textContent = t("public_page.until", { date: c.until });
      $("files-hint").textContent = t("public_page.files_hint", { n: c.max_files, mb: c.max_file_mb });
      var sel = $("category");
      var first = document.createElement("option");
      first.value = "";
      first.textContent = t("public_page.choose");
      sel.appendChild(first);
      c.categories.forEach(function (k) {
        var o = document.createElement("option");
        o.value = k.code;
        o.textContent = k.name;
        sel.appendChild(o);
      });
      show($("info"), true);
      show($("f-report"), c.open);
      show($("closed"), c.standing);
    });
  }, function () { offline($("load-err")); show($("load-err"), true); });

  // Anonymous or named.
  Array.prototype.forEach.call(document.querySelectorAll('input[name="named"]'), function (r) {
    r.onchange = function () { show($("named-fields"), r.value === "true" && r.checked); };
  });

  // The report.
  $("f-report").onsubmit = function (e) {
    e.preventDefault();
    var form = $("f-report");
    var data = new FormData(form);
    if (data.get("named") !== "true") { data["delete"]("reporter_name"); data["delete"]("reporter_phone"); }
    var btn = $("submit");
    btn.disabled = true;
    btn.textContent = t("public_page.sending");
    fetch("/api/v1/public/channels/" + encodeURIComponent(token) + "/reports", { method: "POST", body: data })
      .then(function (res) {
        if (!res.ok) { return problem(res, $("report-err"), form); }
        return res.json().then(function (r) {
          $("r-code").textContent = r.receipt_code;
          $("r-secret").textContent = r.secret;
          form.reset();
          show(form, false);
          show($("info"), false);
          show($("receipt"), true);
          window.scrollTo(0, 0);
        });
      }, function () { offline($("report-err")); })
      .then(function () { btn.disabled = false; btn.textContent = t("public_page.submit"); });
  };

  // Copying the receipt (the Clipboard API needs a secure origin; fall back to a selection).
  $("copy").onclick = function () {
    var text = t("public_page.copy_text", { code: $("r-code").textContent, secret: $("r-secret").textContent });
    function fallback() {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); } catch (x) { /* the text stays on screen */ }
      document.body.removeChild(area);
      show($("copied"), true);
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { show($("copied"), true); }, fallback);
    } else {
      fallback();
    }
  };

  // The follow-up.
  var receipt = null;
  function render(s) {
    $("s-state").textContent = s.state_name;
    $("s-meta").textContent = t("public_page.meta", { org: s.org_name, category: s.category_name, date: s.submitted_on, files: s.file_count });
    show($("s-reason"), !!s.reason);
    $("s-reason").textContent = s.reason ? t("public_page.reason", { reason: s.reason }) : "";
    var list = $("s-messages");
    list.textContent = "";
    s.messages.forEach(function (m) {
      var d = document.createElement("div");
      d.className = "msg " + m.author;
      d.textContent = t("public_page.message_line", { who: m.author_name, date: m.at.slice(0, 10), body: m.body });
      list.appendChild(d);
    });
    show($("s-none"), !s.messages.length);
    show($("f-answer"), s.open);
    show($("status"), true);
  }
  function load(box, form) {
    return fetch("/api/v1/public/reports/follow-up", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(receipt)
    }).then(function (res) {
      if (!res.ok) { show($("status"), false); return problem(res, box, form); }
      box.textContent = "";
      return res.json().then(render);
    }, function () { offline(box); });
  }
  $("f-follow").onsubmit = function (e) {
    e.preventDefault();
    receipt = { receipt_code: $("f-code").value, secret: $("f-secret").value };
    load($("follow-err"), $("f-follow"));
  };
  $("f-answer").onsubmit = function (e) {
    e.preventDefault();
    var form = $("f-answer");
    var data = new FormData(form);
    data.append("receipt_code", receipt.receipt_code);
    data.append("secret", receipt.secret);
    fetch("/api/v1/public/reports/answer", { method: "POST", body: data }).then(function (res) {
      if (!res.ok) { return problem(res, $("answer-err"), form); }
      $("answer-err").textContent = "";
      form.reset();
      show($("answered"), true);
      return load($("answer-err"), form);
    }, function () { offline($("answer-err")); });
  };
})();
