// The dashboard's page script. Every value from the stats API is written
// with textContent or as an SVG attribute, never as markup: link paths,
// UTM values and referrers are whatever the clicks carried.
"use strict";

const locale = "en-US";
const fmtInt = new Intl.NumberFormat(locale);
const fmtPct = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 });
const tz = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
const linkID = document.body.dataset.link || "";
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function svg(tag, attrs) {
  const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}

const int = (n) => fmtInt.format(n || 0);

// money formats amounts in minor units (cents) per currency, converted by
// the currency's own number of minor digits (JPY has none).
function money(list) {
  if (!list || list.length === 0) return "–";
  return list.map((m) => {
    try {
      const f = new Intl.NumberFormat(locale, { style: "currency", currency: m.currency });
      const digits = f.resolvedOptions().maximumFractionDigits;
      return f.format(m.amount / 10 ** digits);
    } catch (e) { // not an ISO 4217 code
      return fmtInt.format(m.amount / 100) + " " + m.currency;
    }
  }).join(" · ");
}

function isoDate(d) {
  const p = (n) => String(n).padStart(2, "0");
  return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate());
}

// The range comes from the address (?from=&to=&bots=) so that a link's
// page and a reload keep it; default the last 30 days.
function readRange() {
  const q = new URLSearchParams(location.search);
  const to = q.get("to") || isoDate(new Date());
  const from = q.get("from") || isoDate(new Date(Date.now() - 29 * 86400000));
  return { from, to, bots: q.get("bots") || "exclude" };
}

// rangeQuery asks the stats API for the days from r.from to r.to, both
// included (the API's to is exclusive).
function rangeQuery(r) {
  const to = new Date(r.to + "T12:00:00Z");
  to.setUTCDate(to.getUTCDate() + 1);
  return new URLSearchParams({ from: r.from, to: to.toISOString().slice(0, 10), bots: r.bots, tz, interval: "day" });
}

async function getJSON(url) {
  const resp = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (resp.status === 401) { location.assign("/dashboard"); throw new Error("signed out"); }
  const body = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new Error((body.error && body.error.message) || ("HTTP " + resp.status));
  return body;
}

function showError(err) {
  const e = $("error");
  e.textContent = "Could not load the numbers: " + err.message;
  e.hidden = false;
}

function kpis(t) {
  $("kpi-clicks").textContent = int(t.clicks);
  $("kpi-visitors").textContent = int(t.visitors);
  $("kpi-conversions").textContent = int(t.conversions);
  $("kpi-rate").textContent = t.clicks ? fmtPct.format((t.conversions || 0) / t.clicks) + " of clicks" : "";
  $("kpi-revenue").textContent = money(t.revenue);
}

function chart(series) {
  const box = $("chart");
  box.replaceChildren();
  const W = 1000, H = 240, L = 44, B = 24, T = 10;
  const max = Math.max(1, ...series.map((p) => p.clicks));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", role: "img" });
  for (let v = 0; v <= top; v += step) {
    const y = T + (H - B - T) * (1 - v / top);
    s.append(svg("line", { x1: L, x2: W, y1: y, y2: y, class: "gridline" }));
    const lab = svg("text", { x: L - 6, y: y + 4, "text-anchor": "end" });
    lab.textContent = int(v);
    s.append(lab);
  }
  const bw = (W - L) / Math.max(1, series.length);
  series.forEach((p, i) => {
    const h = (H - B - T) * (p.clicks / top);
    const r = svg("rect", { x: L + i * bw + bw * 0.12, y: H - B - h, width: Math.max(1, bw * 0.76), height: h, class: "bar-rect", rx: 2 });
    const title = svg("title");
    title.textContent = dayLabel(p.start) + ": " + int(p.clicks) + " clicks, " + int(p.visitors) + " visitors";
    r.append(title);
    s.append(r);
    const every = Math.ceil(series.length / 10);
    if (i % every === 0) {
      const lab = svg("text", { x: L + i * bw + bw / 2, y: H - 6, "text-anchor": "middle" });
      lab.textContent = dayLabel(p.start);
      s.append(lab);
    }
  });
  box.append(s);
  $("chart-note").textContent = "per day, " + tz;
}

function niceStep(max) {
  const raw = max / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (raw <= m * mag) return Math.max(1, m * mag);
  return Math.max(1, 10 * mag);
}

function dayLabel(iso) {
  return new Date(iso).toLocaleDateString(locale, { month: "short", day: "numeric", timeZone: tz });
}

// table adds a card listing groups; label(g) returns the key's text or a
// node (a link to a link's page).
function table(id, title, keyTitle, groups, total, label) {
  const card = $("table-tpl").content.firstElementChild.cloneNode(true);
  card.id = id;
  card.querySelector("h2").textContent = title;
  card.querySelector("th.k").textContent = keyTitle;
  const body = card.querySelector("tbody");
  if (!groups || groups.length === 0) {
    const td = el("td", "empty", "No clicks in this range");
    td.colSpan = 6;
    const tr = el("tr"); // append returns nothing: build the row, then add it
    tr.append(td);
    body.append(tr);
  }
  for (const g of groups || []) {
    const tr = el("tr");
    const k = el("td", "k");
    const shown = label ? label(g) : (g.key === "" ? "(none)" : g.key);
    if (typeof shown === "string") k.append(el("span", "key", shown)); else k.append(shown);
    k.title = typeof shown === "string" ? shown : shown.textContent;
    const meter = el("span", "meter");
    const fill = el("i");
    fill.style.width = (total ? Math.round(100 * g.clicks / total) : 0) + "%";
    meter.append(fill);
    k.append(meter);
    tr.append(k, el("td", "clicks", int(g.clicks)), el("td", "share", total ? fmtPct.format(g.clicks / total) : "–"),
      el("td", "visitors", int(g.visitors)), el("td", "conversions", g.conversions === undefined ? "–" : int(g.conversions)),
      el("td", "revenue", g.revenue === undefined ? "–" : money(g.revenue)));
    body.append(tr);
  }
  $("tables").append(card);
}

async function linkNames(ids) {
  if (ids.length === 0) return {};
  const q = new URLSearchParams();
  ids.forEach((id) => q.append("id", id));
  const body = await getJSON("/dashboard/api/links?" + q);
  const out = {};
  for (const l of body.links) out[l.id] = l;
  return out;
}

const shortName = (l) => l.domain + "/" + l.path;

async function overview(r) {
  const s = await getJSON("/dashboard/api/stats?" + rangeQuery(r));
  const names = await linkNames(s.links.map((g) => g.key));
  $("tables").replaceChildren();
  kpis(s.totals);
  chart(s.series);
  const total = s.totals.clicks;
  table("top-links", "Top links", "Link", s.links, total, (g) => {
    const a = el("a", "key", names[g.key] ? shortName(names[g.key]) : g.key);
    a.href = "/dashboard/links/" + encodeURIComponent(g.key) + location.search;
    return a;
  });
  table("campaigns", "Campaigns", "utm_campaign", s.campaigns, total);
  table("countries", "Countries", "Country", s.countries, total);
  table("devices", "Devices", "Device", s.devices, total);
  table("referrers", "Referrers", "Referrer", s.referrers, total, (g) => g.key === "" ? "(direct)" : g.key);
}

const linkGroups = [
  ["utm_campaign", "Campaigns", "utm_campaign"], ["utm_source", "Sources", "utm_source"], ["country", "Countries", "Country"],
  ["device", "Devices", "Device"], ["os", "Operating systems", "OS"], ["browser", "Browsers", "Browser"],
  ["referrer", "Referrers", "Referrer"], ["variant", "Variants", "Variant"],
];

async function linkPage(r) {
  const base = "/dashboard/api/links/" + encodeURIComponent(linkID) + "/stats?";
  const [s, names, ...groups] = await Promise.all([getJSON(base + rangeQuery(r)), linkNames([linkID]),
    ...linkGroups.map(([dim]) => { const q = rangeQuery(r); q.set("group_by", dim); return getJSON(base + q); })]);
  const l = names[linkID];
  $("title").textContent = l ? shortName(l) : linkID;
  $("crumb-link").textContent = l ? shortName(l) : linkID;
  $("subtitle").textContent = l ? "→ " + l.destination_url : "";
  $("tables").replaceChildren();
  kpis(s.totals);
  chart(s.series);
  groups.forEach((g, i) => {
    const [dim, title, keyTitle] = linkGroups[i];
    table("by-" + dim, title, keyTitle, g.groups, s.totals.clicks, dim === "referrer" ? (x) => x.key === "" ? "(direct)" : x.key : undefined);
  });
}

function setupRange(r) {
  $("from").value = r.from;
  $("to").value = r.to;
  $("bots").value = r.bots;
  const go = (from, to) => {
    const q = new URLSearchParams({ from, to, bots: $("bots").value });
    location.assign(location.pathname + "?" + q);
  };
  $("range").addEventListener("submit", (e) => { e.preventDefault(); go($("from").value, $("to").value); });
  for (const b of document.querySelectorAll(".presets button")) {
    const days = Number(b.dataset.days);
    const from = isoDate(new Date(Date.now() - (days - 1) * 86400000));
    if (from === r.from && r.to === isoDate(new Date())) b.classList.add("on");
    b.addEventListener("click", () => go(from, isoDate(new Date())));
  }
}

async function main() {
  const r = readRange();
  setupRange(r);
  document.body.dataset.state = "loading";
  try {
    await (linkID ? linkPage(r) : overview(r));
    $("subtitle").textContent ||= r.from + " to " + r.to + ", " + tz;
    document.body.dataset.state = "ready";
  } catch (err) {
    showError(err);
    document.body.dataset.state = "error";
  }
}

main();
