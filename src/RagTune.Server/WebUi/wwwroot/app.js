// RagTune web UI: plain JavaScript, no dependencies (works offline). Everything goes through the server's HTTP API.
"use strict";
const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) node.append(c);
  return node;
};
const state = { kb: null, job: null, run: null, history: [], timers: {} };

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const type = response.headers.get("content-type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw new Error((body && body.error && body.error.message) || `${response.status} ${response.statusText}`);
  return body;
}
const postJson = (path, body) => api(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const status = (text) => { $("status").textContent = text; };

// Reads a text/event-stream response and calls onData with each parsed "data:" payload until [DONE].
async function readSse(response, onData) {
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error.message; } catch { /* not JSON */ }
    throw new Error(message);
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const data = line.slice(5).trim();
        if (data === "[DONE]") return;
        onData(JSON.parse(data));
      }
    }
  }
}

// ---------- tabs ----------
for (const tab of document.querySelectorAll(".tab")) {
  tab.addEventListener("click", () => {
    document.querySelectorAll(".tab").forEach((t) => t.classList.toggle("active", t === tab));
    document.querySelectorAll(".panel").forEach((p) => p.classList.toggle("active", p.id === tab.dataset.tab));
    if (tab.dataset.tab === "kb") loadKnowledgeBases();
    if (tab.dataset.tab === "ft") loadFineTuning();
    if (tab.dataset.tab === "cmp") loadRuns();
  });
}

async function loadConfig() {
  const config = await api("/api/ui/config");
  fillSelect($("chat-model"), config.models);
  fillSelect($("ft-model"), config.models);
  fillSelect($("chat-kb"), [""].concat(config.knowledge_bases), (v) => v || "(none)");
  status(`${config.models.length} model(s), ${config.knowledge_bases.length} knowledge base(s)`);
}
function fillSelect(select, values, label = (v) => v) {
  const keep = select.value;
  select.replaceChildren(...values.map((v) => el("option", { value: v, textContent: label(v) })));
  if (values.includes(keep)) select.value = keep;
}

// ---------- chat ----------
$("chat-clear").addEventListener("click", () => { state.history = []; $("messages").replaceChildren(); closeSource(); });
$("chat-input").addEventListener("keydown", (e) => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("chat-form").requestSubmit(); } });
$("chat-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = $("chat-input").value.trim();
  if (!text) return;
  $("chat-input").value = "";
  $("chat-send").disabled = true;
  addMessage("user", text);
  const bubble = addMessage("assistant", "");
  bubble.dataset.streaming = "true";
  const kb = $("chat-kb").value, model = $("chat-model").value;
  try {
    await chatCompletion(model, kb, text, bubble);
  } catch (err) {
    bubble.className = "msg error";
    bubble.textContent = err.message;
  } finally {
    delete bubble.dataset.streaming;
    $("chat-send").disabled = false;
  }
});
function addMessage(role, text) {
  const node = el("div", { className: `msg ${role}`, textContent: text });
  $("messages").append(node);
  node.scrollIntoView({ block: "end" });
  return node;
}
// Chat goes through the OpenAI-compatible endpoint; a knowledge base grounds it (RagTune's "knowledge_base" field)
// and the last streamed chunk carries the numbered sources as "citations".
async function chatCompletion(model, kb, text, bubble) {
  const messages = kb ? [{ role: "user", content: text }] : state.history.concat([{ role: "user", content: text }]);
  const body = { model, messages, stream: true };
  if (kb) body.knowledge_base = kb;
  const response = await fetch("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  let answer = "", citations = null;
  await readSse(response, (data) => {
    const delta = data.choices && data.choices[0] && data.choices[0].delta;
    if (!delta) return;
    if (delta.content) { answer += delta.content; bubble.textContent = answer; bubble.scrollIntoView({ block: "end" }); }
    if (delta.citations) citations = delta.citations;
  });
  if (citations) renderAnswer(bubble, kb, answer.trim(), citations);
  if (!kb) state.history.push({ role: "user", content: text }, { role: "assistant", content: answer });
}
// The final answer: [n] markers become buttons that open the cited passage; the cited sources are listed below.
function renderAnswer(bubble, kb, answer, sources) {
  const byNumber = new Map(sources.map((c) => [c.number, c]));
  const cited = new Set();
  bubble.replaceChildren();
  for (const part of answer.split(/(\[\d+(?:\s*,\s*\d+)*\])/)) {
    const m = /^\[(\d+(?:\s*,\s*\d+)*)\]$/.exec(part);
    if (!m) { bubble.append(part); continue; }
    for (const n of m[1].split(",").map((x) => parseInt(x, 10))) {
      const source = byNumber.get(n);
      if (!source) { bubble.append(`[${n}]`); continue; }
      cited.add(n);
      bubble.append(el("span", { className: "cite", textContent: String(n), title: source.title, onclick: () => openSource(kb, source) }));
    }
  }
  if (!sources.length) { bubble.append(el("div", { className: "citations muted", textContent: "Nothing relevant was found in the knowledge base." })); return; }
  const list = el("div", { className: "citations" }, cited.size ? "Cited sources:" : "Sources given to the model (none cited):");
  for (const s of sources.filter((s) => !cited.size || cited.has(s.number)))
    list.append(el("a", { className: "citation-link", textContent: `[${s.number}] ${s.title} — ${s.source}`, onclick: () => openSource(kb, s) }));
  bubble.append(list);
}
async function openSource(kb, source) {
  $("source-panel").classList.remove("hidden");
  document.querySelector(".chat-layout").classList.add("with-source");
  $("source-title").textContent = `[${source.number}] ${source.title}`;
  $("source-meta").textContent = `${source.source}, characters ${source.start}–${source.end}${source.page ? `, page ${source.page}` : ""}`;
  $("source-text").replaceChildren(el("mark", { textContent: source.snippet }));
  try {
    const doc = await api(`/api/knowledge-bases/${encodeURIComponent(kb)}/documents/text?id=${encodeURIComponent(source.document_id)}`);
    const before = doc.text.slice(Math.max(0, source.start - 600), source.start);
    const after = doc.text.slice(source.end, source.end + 600);
    const passage = el("mark", { id: "cited-passage", textContent: doc.text.slice(source.start, source.end) });
    $("source-text").replaceChildren(source.start > 600 ? "…" : "", before, passage, after, source.end + 600 < doc.text.length ? "…" : "");
    passage.scrollIntoView({ block: "center" });
  } catch (err) { $("source-meta").textContent += ` (${err.message})`; }
}
function closeSource() { $("source-panel").classList.add("hidden"); document.querySelector(".chat-layout").classList.remove("with-source"); }
$("source-close").addEventListener("click", closeSource);

// ---------- knowledge bases ----------
async function loadKnowledgeBases() {
  const list = await api("/api/knowledge-bases");
  $("kb-list").replaceChildren(...list.data.map((kb) => el("li", {
    className: kb.name === state.kb ? "selected" : "", onclick: () => selectKnowledgeBase(kb.name),
  }, el("span", { textContent: kb.name }), el("span", { className: "badge", textContent: `${kb.documents} docs` }))));
  fillSelect($("chat-kb"), [""].concat(list.data.map((k) => k.name)), (v) => v || "(none)");
  status(`${$("chat-model").options.length} model(s), ${list.data.length} knowledge base(s)`);
}
$("kb-create").addEventListener("submit", async (e) => {
  e.preventDefault();
  try { await postJson("/api/knowledge-bases", { name: $("kb-name").value }); $("kb-name").value = ""; await loadKnowledgeBases(); }
  catch (err) { status(err.message); }
});
async function selectKnowledgeBase(name) {
  state.kb = name;
  $("kb-title").textContent = name;
  $("kb-detail").classList.remove("hidden");
  $("kb-results").replaceChildren();
  await Promise.all([loadKnowledgeBases(), loadDocuments()]);
}
async function loadDocuments() {
  const docs = await api(`/api/knowledge-bases/${encodeURIComponent(state.kb)}/documents`);
  $("kb-docs").replaceChildren(...docs.data.map((f) => el("tr", {},
    el("td", { textContent: f.name }), el("td", { textContent: f.documents.length }),
    el("td", { textContent: f.documents.reduce((s, d) => s + d.chunks, 0) }), el("td", { textContent: f.bytes.toLocaleString() }),
    el("td", {}, f.uploaded ? el("button", { className: "danger", textContent: "Delete", onclick: () => deleteDocument(f.name) }) : ""))));
}
async function deleteDocument(file) {
  try { followIngest(await api(`/api/knowledge-bases/${encodeURIComponent(state.kb)}/documents/${encodeURIComponent(file)}`, { method: "DELETE" })); }
  catch (err) { status(err.message); }
}
const drop = $("drop-zone");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); upload(e.dataTransfer.files); });
$("kb-files").addEventListener("change", (e) => { upload(e.target.files); e.target.value = ""; });
async function upload(files) {
  if (!files.length || !state.kb) return;
  const form = new FormData();
  for (const f of files) form.append("files", f, f.name);
  try { followIngest(await api(`/api/knowledge-bases/${encodeURIComponent(state.kb)}/documents`, { method: "POST", body: form })); }
  catch (err) { $("ingest").classList.remove("hidden"); $("ingest-text").textContent = err.message; }
}
function followIngest(run) {
  const kb = state.kb;
  $("ingest").classList.remove("hidden");
  clearInterval(state.timers.ingest);
  const show = (r) => {
    const pct = r.bytes_total ? Math.round(100 * r.bytes_done / r.bytes_total) : (r.status === "succeeded" ? 100 : 0);
    $("ingest-bar").style.width = `${pct}%`;
    $("ingest-text").textContent = `${r.status}: ${r.files_done}/${r.files_total} files, ${r.chunks} chunks` +
      (r.status === "succeeded" ? ` — added ${r.documents_added}, updated ${r.documents_updated}, deleted ${r.documents_deleted}` : "") +
      (r.errors.length ? ` — ${r.errors.join("; ")}` : "");
    $("ingest-text").dataset.status = r.status;
  };
  show(run);
  state.timers.ingest = setInterval(async () => {
    const r = await api(`/api/knowledge-bases/${encodeURIComponent(kb)}/ingests/${run.id}`);
    show(r);
    if (r.status === "succeeded" || r.status === "failed") { clearInterval(state.timers.ingest); await loadDocuments(); await loadKnowledgeBases(); }
  }, 400);
}
$("kb-search").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const hits = await postJson(`/api/knowledge-bases/${encodeURIComponent(state.kb)}/search`, { query: $("kb-query").value, k: 5 });
    $("kb-results").replaceChildren(...hits.data.map((h) => el("li", {},
      el("strong", { textContent: `${h.title} ` }), el("span", { className: "muted", textContent: `${h.source} · score ${h.score.toFixed(3)}` }),
      el("div", { className: "snippet", textContent: h.text.length > 280 ? h.text.slice(0, 280) + "…" : h.text }))));
    if (!hits.data.length) $("kb-results").replaceChildren(el("li", { className: "muted", textContent: "no results" }));
  } catch (err) { status(err.message); }
});
$("kb-delete").addEventListener("click", async () => {
  if (!confirm(`Delete knowledge base ${state.kb} and its uploaded files?`)) return;
  try { await api(`/api/knowledge-bases/${encodeURIComponent(state.kb)}`, { method: "DELETE" }); state.kb = null; $("kb-detail").classList.add("hidden"); $("kb-title").textContent = "Select a knowledge base"; await loadKnowledgeBases(); }
  catch (err) { status(err.message); }
});

// ---------- fine-tuning ----------
async function loadFineTuning() {
  const [files, jobs] = await Promise.all([api("/v1/files?purpose=fine-tune"), api("/v1/fine_tuning/jobs?limit=50")]);
  $("ft-files").replaceChildren(...files.data.map((f) => el("li", {}, el("span", { textContent: f.filename }), el("span", { className: "badge", textContent: `${f.bytes.toLocaleString()} B` }))));
  fillSelect($("ft-training"), files.data.map((f) => f.id));
  [...$("ft-training").options].forEach((o) => { const f = files.data.find((x) => x.id === o.value); o.textContent = `${f.filename} (${f.id.slice(0, 13)}…)`; });
  $("ft-jobs").replaceChildren(...jobs.data.map((j) => el("li", { className: j.id === state.job ? "selected" : "", onclick: () => selectJob(j.id) },
    el("span", { textContent: `${j.model} · ${j.id.slice(0, 14)}…` }), el("span", { className: `badge ${j.status}`, textContent: j.status }))));
}
$("ft-upload").addEventListener("submit", async (e) => {
  e.preventDefault();
  const file = $("ft-file").files[0];
  if (!file) return;
  const form = new FormData();
  form.append("purpose", "fine-tune");
  form.append("file", file, file.name);
  try { await api("/v1/files", { method: "POST", body: form }); $("ft-file").value = ""; await loadFineTuning(); }
  catch (err) { status(err.message); }
});
$("ft-create").addEventListener("submit", async (e) => {
  e.preventDefault();
  const num = (id) => $(id).value === "" ? undefined : Number($(id).value);
  const hyperparameters = {
    method: $("ft-method").value, lora_rank: num("ft-rank"), n_epochs: num("ft-epochs"), max_steps: num("ft-steps"),
    batch_size: num("ft-batch"), learning_rate_multiplier: num("ft-lr"),
  };
  try {
    const job = await postJson("/v1/fine_tuning/jobs", { model: $("ft-model").value, training_file: $("ft-training").value, hyperparameters, suffix: $("ft-suffix").value || undefined });
    await loadFineTuning();
    await selectJob(job.id);
  } catch (err) { status(err.message); }
});
async function selectJob(id) {
  state.job = id;
  $("ft-detail").classList.remove("hidden");
  clearInterval(state.timers.job);
  const refresh = async () => {
    const [job, events] = await Promise.all([api(`/v1/fine_tuning/jobs/${id}`), api(`/v1/fine_tuning/jobs/${id}/events?limit=1000`)]);
    if (state.job !== id) return;
    showJob(job, events.data.slice().reverse());
    if (["succeeded", "failed", "cancelled"].includes(job.status)) { clearInterval(state.timers.job); await loadFineTuning(); loadConfig(); }
  };
  await refresh();
  await loadFineTuning();
  state.timers.job = setInterval(refresh, 700);
}
function showJob(job, events) {
  $("ft-title").textContent = `${job.id} — ${job.model}`;
  $("ft-status").textContent = job.status;
  $("ft-status").dataset.status = job.status;
  const metrics = events.filter((e) => e.type === "metrics" && e.data).map((e) => e.data);
  const train = metrics.filter((m) => m.train_loss != null);
  const last = train[train.length - 1];
  $("ft-step").textContent = last ? last.step : "–";
  $("ft-loss").textContent = last ? last.train_loss.toFixed(4) : "–";
  $("ft-tps").textContent = last && last.tokens_per_second != null ? Math.round(last.tokens_per_second).toLocaleString() : "–";
  drawLossChart($("ft-chart"), train.map((m) => [m.step, m.train_loss]), metrics.filter((m) => m.valid_loss != null).map((m) => [m.step, m.valid_loss]));
  $("ft-result").textContent = job.status === "succeeded" ? `Model ready: ${job.fine_tuned_model} (pick it in Chat)` : job.error ? `Failed: ${job.error.message}` : "";
  $("ft-cancel").disabled = ["succeeded", "failed", "cancelled"].includes(job.status);
  $("ft-events").replaceChildren(...events.slice(-200).map((e) => el("li", { textContent: `${new Date(e.created_at * 1000).toLocaleTimeString()} ${e.message}` })));
}
$("ft-cancel").addEventListener("click", async () => { try { await postJson(`/v1/fine_tuning/jobs/${state.job}/cancel`, {}); } catch (err) { status(err.message); } });

// An inline SVG line chart of loss against step (no library: the page works offline).
function drawLossChart(svg, train, valid) {
  const W = 600, H = 240, L = 48, R = 12, T = 12, B = 28;
  const ns = "http://www.w3.org/2000/svg";
  const node = (tag, attrs, text) => { const n = document.createElementNS(ns, tag); for (const k in attrs) n.setAttribute(k, attrs[k]); if (text !== undefined) n.textContent = text; return n; };
  svg.replaceChildren();
  const all = train.concat(valid);
  if (!all.length) { svg.append(node("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "waiting for the first step…")); return; }
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1), y0 = Math.min(...ys), y1 = Math.max(...ys, y0 + 1e-6);
  const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R), sy = (y) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const y = y0 + (y1 - y0) * i / 4;
    svg.append(node("line", { class: "grid", x1: L, x2: W - R, y1: sy(y), y2: sy(y) }), node("text", { x: L - 6, y: sy(y) + 4, "text-anchor": "end" }, y.toFixed(3)));
  }
  svg.append(node("line", { class: "axis", x1: L, x2: W - R, y1: H - B, y2: H - B }), node("line", { class: "axis", x1: L, x2: L, y1: T, y2: H - B }));
  svg.append(node("text", { x: L, y: H - 8 }, `step ${x0}`), node("text", { x: W - R, y: H - 8, "text-anchor": "end" }, `step ${x1}`));
  const line = (points, cls) => { if (points.length) svg.append(node("polyline", { class: cls, points: points.map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join(" ") })); };
  line(train, "loss");
  line(valid, "valid");
  for (const p of train) svg.append(node("circle", { cx: sx(p[0]), cy: sy(p[1]), r: 2.5, fill: "#2f6fde" }));
}

// ---------- comparisons ----------
async function loadRuns() {
  const runs = await api("/api/comparisons");
  $("cmp-runs").replaceChildren(...runs.data.map((r) => el("li", { className: r.id === state.run ? "selected" : "", onclick: () => selectRun(r.id) },
    el("span", { textContent: r.name || r.id }), el("span", { className: `badge ${r.status}`, textContent: r.status }))));
}
$("cmp-create").addEventListener("submit", async (e) => {
  e.preventDefault();
  try {
    const run = await postJson("/api/comparisons", { config: $("cmp-config").value, format: $("cmp-format").value, name: $("cmp-name").value || undefined });
    await loadRuns();
    await selectRun(run.id);
  } catch (err) { status(err.message); }
});
async function selectRun(id) {
  state.run = id;
  $("cmp-detail").classList.remove("hidden");
  $("cmp-title").textContent = id;
  $("cmp-report").classList.add("hidden");
  $("cmp-verdict").classList.add("hidden");
  clearInterval(state.timers.run);
  const refresh = async () => {
    const { run, lines } = await api(`/api/comparisons/${id}`);
    if (state.run !== id) return;
    $("cmp-status").textContent = run.status + (run.error ? ` — ${run.error}` : "");
    $("cmp-lines").textContent = lines.join("\n");
    $("cmp-lines").scrollTop = $("cmp-lines").scrollHeight;
    $("cmp-cancel").disabled = ["succeeded", "failed", "cancelled"].includes(run.status);
    if (["succeeded", "failed", "cancelled"].includes(run.status)) {
      clearInterval(state.timers.run);
      await loadRuns();
      if (run.status === "succeeded") await showReport(id, run);
    }
  };
  await refresh();
  state.timers.run = setInterval(refresh, 1000);
}
async function showReport(id, run) {
  $("cmp-links").replaceChildren(...run.reports.map((f) => el("a", { href: `/api/comparisons/${id}/${f}`, target: "_blank", textContent: f + "  " })));
  try {
    const report = await api(`/api/comparisons/${id}/report.json`);
    const verdict = report.verdict && (report.verdict.text || report.verdict.summary || report.verdict);
    if (verdict) { $("cmp-verdict").textContent = typeof verdict === "string" ? verdict : JSON.stringify(verdict); $("cmp-verdict").classList.remove("hidden"); }
  } catch { /* the HTML report below still shows everything */ }
  if (run.reports.includes("report.html")) { $("cmp-report").src = `/api/comparisons/${id}/report.html`; $("cmp-report").classList.remove("hidden"); }
}
$("cmp-cancel").addEventListener("click", async () => { try { await postJson(`/api/comparisons/${state.run}/cancel`, {}); } catch (err) { status(err.message); } });

loadConfig().catch((err) => status(err.message));
