// Flaskr's live index: the page of a logged-in user listens on the WebSocket
// named by the entry list's data-live attribute and puts each new entry at the
// top of the list. Entries are inserted as text (textContent), never as HTML.
// When the socket can't connect (a WSGI server, a proxy without WebSockets)
// or closes, nothing happens: the page stays as it was, and a reload shows
// the new entries as always.
(function () {
  "use strict";
  var list = document.querySelector("ul.entries[data-live]");
  if (!list || !window.WebSocket) {
    return;
  }
  // Same host and scheme as the page (ws: or wss:), whatever host the server
  // put in the link: a proxy in front may call itself something else.
  var live = new URL(list.getAttribute("data-live"), location.href);
  var url = new URL(live.pathname + live.search, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";

  function show(entry) {
    var item = document.createElement("li");
    var title = document.createElement("h2");
    title.textContent = entry.title;
    item.appendChild(title);
    item.appendChild(document.createTextNode(entry.text));
    var empty = list.querySelector("li.empty");
    if (empty) {
      empty.remove();
    }
    list.insertBefore(item, list.firstChild);
  }

  var socket;
  try {
    socket = new WebSocket(url.href);
  } catch (e) {
    return;
  }
  socket.onerror = function () {};
  socket.onmessage = function (event) {
    var entry;
    try {
      entry = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (entry && typeof entry.title === "string" && typeof entry.text === "string") {
      show(entry);
    }
  };
})();
