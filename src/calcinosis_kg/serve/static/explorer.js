// calcinosis-kg explorer: bundled questions, SPARQL, results with labels, class cards, search.
// Every request goes to the server that sent this page; the DOM is built with textContent only.
"use strict";

const $ = (id) => document.getElementById(id);
let queries = [];

function setStatus(text, isError) {
  const status = $("status");
  status.textContent = text;
  status.className = isError ? "error" : "";
}

async function getJSON(url, options) {
  const response = await fetch(url, options);
  const text = await response.text();
  if (!response.ok) throw new Error(text.trim() || response.statusText);
  return { data: JSON.parse(text), headers: response.headers };
}

function termLink(iri, label, curie) {
  const link = document.createElement("a");
  link.href = "#" + encodeURIComponent(iri);
  link.className = "term";
  link.dataset.iri = iri;
  link.textContent = label || curie || iri;
  link.title = iri;
  link.addEventListener("click", (event) => { event.preventDefault(); openCard(iri); });
  const wrap = document.createElement("span");
  wrap.appendChild(link);
  if (label) {
    const small = document.createElement("span");
    small.className = "curie";
    small.textContent = curie || iri;
    wrap.appendChild(small);
  }
  return wrap;
}

function showResults(data, headers) {
  const table = $("results");
  table.replaceChildren();
  if (typeof data.boolean === "boolean") {
    setStatus("ASK: " + data.boolean);
    return;
  }
  const vars = data.head.vars;
  const head = table.createTHead().insertRow();
  for (const name of vars) {
    const th = document.createElement("th");
    th.textContent = name;
    head.appendChild(th);
  }
  const body = table.createTBody();
  const labels = data.labels || {};
  const curies = data.curies || {};
  for (const binding of data.results.bindings) {
    const row = body.insertRow();
    for (const name of vars) {
      const cell = row.insertCell();
      const value = binding[name];
      if (!value) continue;
      if (value.type === "uri") {
        cell.appendChild(termLink(value.value, labels[value.value], curies[value.value]));
      } else {
        cell.textContent = value.value;
      }
    }
  }
  const rows = data.results.bindings.length;
  const truncated = headers.get("X-Rows-Truncated") === "true";
  setStatus(rows + " row" + (rows === 1 ? "" : "s") +
    (truncated ? " (cut at the server's row limit of " + headers.get("X-Row-Limit") + ")" : ""));
}

async function runSparql() {
  setStatus("running…");
  const form = new URLSearchParams({ query: $("sparql").value });
  try {
    const { data, headers } = await getJSON("/sparql?labels=1", {
      method: "POST", body: form,
      headers: { "Accept": "application/sparql-results+json" },
    });
    showResults(data, headers);
  } catch (error) {
    $("results").replaceChildren();
    setStatus(error.message, true);
  }
}

async function runQuestion() {
  const query = queries[$("question").selectedIndex];
  if (!query) return;
  const params = new URLSearchParams({ labels: "1" });
  for (const input of $("parameters").querySelectorAll("input")) {
    if (input.value.trim()) params.set(input.name, input.value.trim());
  }
  setStatus("running…");
  try {
    const { data, headers } = await getJSON(
      "/queries/" + encodeURIComponent(query.name) + "?" + params,
      { headers: { "Accept": "application/sparql-results+json" } });
    showResults(data, headers);
  } catch (error) {
    $("results").replaceChildren();
    setStatus(error.message, true);
  }
}

function showQuestion() {
  const query = queries[$("question").selectedIndex];
  const box = $("parameters");
  box.replaceChildren();
  if (!query) return;
  $("question-text").textContent = query.question || query.title;
  for (const name of query.parameters) {
    const label = document.createElement("label");
    label.textContent = "?" + name + " ";
    const input = document.createElement("input");
    input.name = name;
    input.value = (query.example || {})[name] || "";
    label.appendChild(input);
    box.appendChild(label);
  }
}

function section(card, title, items, render) {
  if (!items || !items.length) return;
  const h = document.createElement("h3");
  h.textContent = title;
  const list = document.createElement("ul");
  for (const item of items) {
    const li = document.createElement("li");
    render(li, item);
    if (item.support) {
      const quote = document.createElement("blockquote");
      quote.textContent = "“" + item.support + "”";
      li.appendChild(quote);
    }
    list.appendChild(li);
  }
  card.append(h, list);
}

function term(li, node) {
  if (!node) return;
  if (node.iri) li.appendChild(termLink(node.iri, node.label, node.curie));
  else li.appendChild(document.createTextNode(node.text));
}

async function openCard(iri) {
  const card = $("card");
  try {
    const { data } = await getJSON("/api/card?class=" + encodeURIComponent(iri));
    card.replaceChildren();
    const h = document.createElement("h2");
    h.id = "card-title";
    h.textContent = data.label || data.curie;
    const id = document.createElement("p");
    id.className = "curie";
    id.textContent = data.curie;
    card.append(h, id);
    const s = data.sections;
    section(card, "Definition", s.definition, (li, it) => term(li, it.value));
    section(card, "Synonyms", s.synonym, (li, it) => term(li, it.value));
    section(card, "Parents", s.parent, (li, it) => term(li, it.value));
    section(card, "Subtypes", s.subtype, (li, it) => term(li, it.value));
    const relation = (li, it) => {
      term(li, it.property);
      li.appendChild(document.createTextNode(" → "));
      term(li, it.value);
    };
    section(card, "Statements (true of every member)", s.relationship, relation);
    section(card, "What the sources associate", s.association, relation);
    section(card, "Statements by other classes", s.incoming, relation);
    section(card, "Associations by other classes", s["incoming association"], relation);
    section(card, "Disjoint with", s.disjoint, (li, it) => term(li, it.value));
    section(card, "Mappings", s.mapping, relation);
    card.hidden = false;
  } catch (error) {
    setStatus(error.message, true);
  }
}

async function search(event) {
  event.preventDefault();
  const text = $("search").value.trim();
  const box = $("search-results");
  if (!text) return;
  try {
    const { data } = await getJSON("/api/search?q=" + encodeURIComponent(text));
    box.replaceChildren();
    const h = document.createElement("h2");
    h.textContent = data.length + " match" + (data.length === 1 ? "" : "es") + " for “" + text + "”";
    const list = document.createElement("ul");
    for (const hit of data) {
      const li = document.createElement("li");
      li.appendChild(termLink(hit.iri, hit.label, hit.curie));
      if (hit.matched) li.appendChild(document.createTextNode(" (" + hit.field + ": " + hit.matched + ")"));
      list.appendChild(li);
    }
    box.append(h, list);
    box.hidden = false;
  } catch (error) {
    setStatus(error.message, true);
  }
}

async function start() {
  $("endpoint").textContent = location.origin + "/sparql";
  $("run-sparql").addEventListener("click", runSparql);
  $("run-question").addEventListener("click", runQuestion);
  $("question").addEventListener("change", showQuestion);
  $("search-form").addEventListener("submit", search);
  try {
    queries = (await getJSON("/queries")).data;
  } catch (error) {
    setStatus(error.message, true);
    return;
  }
  for (const query of queries) {
    const option = document.createElement("option");
    option.value = query.name;
    option.textContent = query.name + " — " + query.title;
    $("question").appendChild(option);
  }
  showQuestion();
  document.body.dataset.ready = "true";
}

start();
