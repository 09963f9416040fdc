// Live pages: the server says when something shown may have changed; the page fetches its own
// live part again and swaps it in. Without JavaScript the pages still work, only not live.
(function () {
  var live = document.getElementById("live");
  if (!live || live.dataset.live !== "true" || !window.EventSource) return;
  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { headers: { "X-Gaffer-Fragment": "live" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        // Keep what a person is typing: a form being filled in is not replaced under them.
        var typing = document.activeElement && live.contains(document.activeElement) && /INPUT|TEXTAREA|SELECT/.test(document.activeElement.tagName);
        if (html !== null && !typing) live.innerHTML = html;
      })
      .finally(function () { busy = false; if (again) { again = false; refresh(); } });
  }
  var events = new EventSource("/dashboard/events");
  events.addEventListener("changed", refresh);
})();
