// store's page: for each entity, a form to add an item and a table of the items, each
// with a delete button. Plain JavaScript, no build step.
"use strict";

const ENTITIES = [{"fields":[{"name":"customer","type":"string"},{"name":"total","type":"number"},{"name":"paid","type":"boolean"}],"name":"orders"},{"fields":[{"name":"name","type":"string"},{"name":"email","type":"string"}],"name":"customers"},{"fields":[{"name":"order_id","type":"string"},{"name":"quantity","type":"integer"}],"name":"line_items"}];
const API = (window.API_BASE || "/api").replace(/\/$/, "");

function status(text, isError) {
  const element = document.getElementById("status");
  element.textContent = text;
  element.className = isError ? "error" : "";
}

async function call(method, path, body) {
  const response = await fetch(API + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const detail = await response.text();
    throw new Error(`${method} ${path}: ${response.status} ${detail}`);
  }
  return response.status === 204 ? null : response.json();
}

function valueOf(input, type) {
  if (type === "boolean") return input.checked;
  if (type === "number") return Number(input.value);
  if (type === "integer") return parseInt(input.value, 10);
  return input.value;
}

function inputFor(field) {
  const input = document.createElement("input");
  input.name = field.name;
  if (field.type === "boolean") {
    input.type = "checkbox";
  } else {
    input.type = field.type === "string" ? "text" : "number";
    input.required = true;
    if (field.type === "number") input.step = "any";
  }
  return input;
}

async function refresh(entity, body) {
  const items = await call("GET", `/${entity.name}`);
  body.replaceChildren(...items.map((item) => {
    const row = document.createElement("tr");
    row.dataset.id = item.id;
    for (const field of entity.fields) {
      const cell = document.createElement("td");
      cell.textContent = String(item[field.name]);
      row.append(cell);
    }
    const remove = document.createElement("button");
    remove.className = "delete";
    remove.textContent = "Delete";
    remove.addEventListener("click", async () => {
      try {
        await call("DELETE", `/${entity.name}/${encodeURIComponent(item.id)}`);
        await refresh(entity, body);
      } catch (error) { status(error.message, true); }
    });
    const actions = document.createElement("td");
    actions.append(remove);
    row.append(actions);
    return row;
  }));
}

function section(entity) {
  const element = document.createElement("section");
  element.id = `entity-${entity.name}`;
  const title = document.createElement("h2");
  title.textContent = entity.name;
  const form = document.createElement("form");
  for (const field of entity.fields) {
    const label = document.createElement("label");
    label.append(field.name, inputFor(field));
    form.append(label);
  }
  const add = document.createElement("button");
  add.type = "submit";
  add.textContent = "Add";
  form.append(add);
  const table = document.createElement("table");
  const head = document.createElement("tr");
  for (const name of [...entity.fields.map((field) => field.name), ""]) {
    const cell = document.createElement("th");
    cell.textContent = name;
    head.append(cell);
  }
  const body = document.createElement("tbody");
  table.append(head, body);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const item = {};
    for (const field of entity.fields) item[field.name] = valueOf(form.elements[field.name], field.type);
    try {
      await call("POST", `/${entity.name}`, item);
      form.reset();
      await refresh(entity, body);
      status(`Added to ${entity.name}.`, false);
    } catch (error) { status(error.message, true); }
  });
  element.append(title, form, table);
  return { element, body };
}

async function start() {
  const main = document.getElementById("entities");
  try {
    for (const entity of ENTITIES) {
      const { element, body } = section(entity);
      main.append(element);
      await refresh(entity, body);
    }
    status("Ready.", false);
  } catch (error) { status(error.message, true); }
}

start();
