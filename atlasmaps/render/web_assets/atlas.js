/* atlasmaps interactive map: markers, links, zones, choropleth, legend, layer filter, search, table.
 *
 * Data arrives as one JSON payload built by atlasmaps/render/web.py; every text from the data is
 * inserted with textContent (never innerHTML), so names such as "<script>" show as text.
 * Colours, sizes and UI strings all come from the payload (the resolved style sheet).
 * No request leaves the file: no icon image, no font, no tile unless the payload asks for tiles.
 */
(function () {
  "use strict";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (Object.prototype.hasOwnProperty.call(attrs, k) && attrs[k] !== null && attrs[k] !== undefined) {
          e.setAttribute(k, attrs[k]);
        }
      }
    }
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function fold(s) {
    // Case- and accent-insensitive search key.
    return String(s).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var SVG_NS = "http://www.w3.org/2000/svg";

  function shapeSvg(sym) {
    // A symbol as inline SVG (no image request); shapes follow the style's web_shape.
    var s = sym.size, w = sym.edge_width, h = s / 2, svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("width", s);
    svg.setAttribute("height", s);
    svg.setAttribute("viewBox", "0 0 " + s + " " + s);
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var shape, inset = w / 2;
    if (sym.shape === "square") {
      shape = document.createElementNS(SVG_NS, "rect");
      shape.setAttribute("x", inset); shape.setAttribute("y", inset);
      shape.setAttribute("width", s - w); shape.setAttribute("height", s - w);
    } else if (sym.shape === "diamond") {
      shape = document.createElementNS(SVG_NS, "polygon");
      shape.setAttribute("points", [h, inset, s - inset, h, h, s - inset, inset, h].join(" "));
    } else if (sym.shape === "triangle") {
      shape = document.createElementNS(SVG_NS, "polygon");
      shape.setAttribute("points", [h, inset, s - inset, s - inset, inset, s - inset].join(" "));
    } else if (sym.shape === "star") {
      shape = document.createElementNS(SVG_NS, "polygon");
      var pts = [];
      for (var i = 0; i < 10; i++) {
        var r = i % 2 ? (h - inset) * 0.45 : h - inset, a = Math.PI / 5 * i - Math.PI / 2;
        pts.push((h + r * Math.cos(a)).toFixed(2), (h + r * Math.sin(a)).toFixed(2));
      }
      shape.setAttribute("points", pts.join(" "));
    } else {
      shape = document.createElementNS(SVG_NS, "circle");
      shape.setAttribute("cx", h); shape.setAttribute("cy", h); shape.setAttribute("r", h - inset);
    }
    shape.setAttribute("fill", sym.fill);
    shape.setAttribute("stroke", sym.edge);
    shape.setAttribute("stroke-width", w);
    svg.appendChild(shape);
    return svg;
  }

  function dl(pairs) {
    // A definition list of (label, value) pairs, skipping empty values.
    var d = el("dl", { "class": "atlas-dl" });
    pairs.forEach(function (p) {
      if (p[1] === null || p[1] === undefined || p[1] === "") return;
      d.appendChild(el("dt", null, p[0]));
      d.appendChild(el("dd", null, p[1]));
    });
    return d;
  }

  function decodeRing(a, scale) {
    // [x0, y0, dx1, dy1, ...] scaled integers -> [[lon, lat], ...] (see web.py _encode_ring)
    var out = [], x = 0, y = 0;
    for (var i = 0; i + 1 < a.length; i += 2) { x += a[i]; y += a[i + 1]; out.push([x / scale, y / scale]); }
    return out;
  }

  function decode(fc) {
    // Delta-encoded feature collection (web.py feature_collection) -> plain GeoJSON, in place.
    if (!fc || fc.q === undefined || fc.decoded) return fc;
    var s = Math.pow(10, fc.q);
    fc.features.forEach(function (f) {
      var g = f.geometry, c = g.coordinates;
      if (g.type === "Point") g.coordinates = [c[0] / s, c[1] / s];
      else if (g.type === "LineString") g.coordinates = decodeRing(c, s);
      else if (g.type === "Polygon" || g.type === "MultiLineString") g.coordinates = c.map(function (r) { return decodeRing(r, s); });
      else if (g.type === "MultiPolygon") g.coordinates = c.map(function (p) { return p.map(function (r) { return decodeRing(r, s); }); });
    });
    fc.decoded = true;
    return fc;
  }

  window.atlasInit = function (map, D) {
    var ui = D.ui, rows = D.rows || [], themes = D.themes || [], types = D.types || [];
    var typeByKey = {}, themeByKey = {};
    types.forEach(function (t) { typeByKey[t.key] = t; });
    themes.forEach(function (t) { themeByKey[t.key] = t; });
    var state = { type: {}, theme: {}, layer: {}, since: null };
    types.forEach(function (t) { state.type[t.key] = true; });
    themes.forEach(function (t) { state.theme[t.key] = true; });
    (D.layers || []).forEach(function (l) { state.layer[l.key] = true; });
    var narrow = map.getContainer().clientWidth < (D.narrow_px || 600);

    // ---- the bilateral map: two linked panels, France and the partner, each on its own extent ----
    // (stacked on narrow screens by atlas.css); every other kind draws everything on `map`.
    var maps = { fr: map, pa: map };
    if (D.panels) {
      document.body.classList.add("atlas-split");
      var frBox = map.getContainer();
      frBox.classList.add("atlas-pane-fr");
      frBox.setAttribute("aria-label", D.panels.fr.label);
      var paBox = el("section", { "class": "folium-map atlas-pane-pa", id: "atlas-partner-map", "aria-label": D.panels.pa.label });
      frBox.parentNode.insertBefore(paBox, frBox.nextSibling);
      maps.pa = L.map(paBox, { minZoom: map.options.minZoom, maxZoom: map.options.maxZoom, zoomSnap: map.options.zoomSnap,
        zoomControl: false, attributionControl: false, keyboard: true, center: map.getCenter(), zoom: map.getZoom() });
      // the source line and the buttons go under the partner panel: France keeps its own room
      map.attributionControl.remove();
      map.attributionControl.addTo(maps.pa);
      map.invalidateSize();
      narrow = frBox.clientWidth < (D.narrow_px || 600);
    }
    function mapOf(side) { return side === "pa" ? maps.pa : maps.fr; }

    function themeNames(r) { return r.th.map(function (k) { return themeByKey[k] ? themeByKey[k].label : k; }).join(", "); }

    function rowVisible(r) {
      if (r.ft && state.type[r.ft] === false) return false;
      if (state.since !== null && (r.y === null || r.y === undefined || r.y < state.since)) return false;
      var th = r.th || [];  // the world and France maps' rows carry no theme
      if (!th.length) return true;
      for (var i = 0; i < th.length; i++) if (state.theme[th[i]] !== false) return true;
      return false;
    }

    function rowBlock(r, side) {
      // One partnership in a popup: the other side, year, nature, themes.
      var box = el("div", { "class": "atlas-row" });
      if (side !== "fr") box.appendChild(dl([[ui.popup.french, r.f], [ui.popup.type, (D.type_labels || {})[r.ft]]]));
      if (side !== "pa") box.appendChild(dl([[ui.popup.partner, r.p], [ui.popup.zone, r.z], [ui.table.country, D.country]]));
      box.appendChild(dl([[ui.popup.year, r.y], [ui.popup.nature, r.na], [ui.popup.themes, themeNames(r)]]));
      return box;
    }

    function popupContent(title, subtitle, rowIdx, side) {
      var c = el("div", { "class": "atlas-popup", tabindex: "-1" });
      c.appendChild(el("h2", { "class": "atlas-popup-title" }, title));
      if (subtitle) c.appendChild(el("p", { "class": "atlas-popup-sub" }, subtitle));
      rowIdx.forEach(function (i) { c.appendChild(rowBlock(rows[i], side)); });
      return c;
    }

    var popupOpts = { maxWidth: D.popup_max_width, autoPanPadding: [12, 12] };
    function focusPopup(e) {
      var node = e.popup.getElement();
      var close = node && node.querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", ui.close);
      var c = node && node.querySelector(".atlas-popup");
      if (c && viaKeyboard) c.focus({ preventScroll: true });
    }
    // Popups opened from the keyboard take the focus (so screen readers read them); mouse ones do not.
    var viaKeyboard = false;
    document.addEventListener("keydown", function (ev) { if (ev.key === "Enter" || ev.key === " ") viaKeyboard = true; }, true);
    document.addEventListener("pointerdown", function () { viaKeyboard = false; }, true);
    map.on("popupopen", focusPopup);

    // ---- heading (title, subtitle) first in the top-left corner, then search, then zoom ----------
    map.zoomControl.remove();
    var heading = document.getElementById("atlas-heading");
    if (heading) {
      var HC = L.Control.extend({ options: { position: "topleft" }, onAdd: function () { return heading; } });
      new HC().addTo(map);
    }

    // ---- basemap: grey countries from the embedded boundaries (no tiles, no request) -----------
    (D.basemap || []).forEach(function (b) {
      decode(b.fc);
      [maps.fr, maps.pa].filter(function (m, i, a) { return a.indexOf(m) === i; }).forEach(function (m) {
        L.geoJSON(b.fc, { style: function () { return Object.assign({ className: "atlas-basemap" }, b.style); }, interactive: false }).addTo(m);
      });
    });

    // ---- zones d'intervention and choropleth polygons -------------------------------------------
    var groups = {};
    function polygons(key, fc, styleFn, tip, pop, target) {
      var g = L.geoJSON(decode(fc), {
        style: styleFn,
        onEachFeature: function (f, layer) {
          if (tip) layer.bindTooltip(function () { return el("span", null, tip(f)); }, { sticky: true });
          if (pop) layer.bindPopup(function () { return pop(f); }, popupOpts);
          layer.on("add", function () {
            var p = layer.getElement && layer.getElement();
            if (p && pop) {
              p.setAttribute("tabindex", "0");
              p.setAttribute("role", "button");
              p.setAttribute("aria-label", tip ? tip(f) : f.properties.name);
              p.addEventListener("keydown", function (ev) {
                if (ev.key === "Enter" || ev.key === " ") {
                  ev.preventDefault();
                  layer.openPopup(layer.getCenter ? layer.getCenter() : undefined);
                }
              });
            }
          });
        }
      });
      g._atlasMap = target || map;
      groups[key] = g;
      return g;
    }

    // a zone's key in zone_rows: its admin-1 id (country maps) or its name (bilateral maps)
    function zoneId(f) { return f.properties.id !== undefined ? f.properties.id : f.properties.name; }
    if (D.zones) {
      var zs = D.zone_style;
      polygons("zones", D.zones, function () {
        return { color: zs.edge, weight: zs.edge_width, fillColor: zs.fill, fillOpacity: zs.alpha, className: "atlas-zone" };
      }, function (f) { return f.properties.name + " – " + f.properties.label; }, D.zone_rows ? function (f) {
        return popupContent(f.properties.name, f.properties.label, (D.zone_rows[zoneId(f)] || []).filter(function (i) { return rowVisible(rows[i]); }), null);
      } : null, maps.pa).addTo(maps.pa);
    }

    if (D.units) {
      // régions and départements with a partnership: their territory, lightly filled
      polygons("units", D.units, function (f) {
        var t = typeByKey[f.properties.t], pg = (t && t.polygon) || {};
        return { color: pg.edge, weight: pg.edge_width, fillColor: pg.fill, fillOpacity: pg.alpha, className: "atlas-unit-fr" };
      }, function (f) { return f.properties.name; }, null, maps.fr).addTo(maps.fr);
    }

    if (D.choropleth) {
      var ch = D.choropleth;
      polygons("choropleth", ch.features, function (f) {
        var k = f.properties.k;
        var fill = f.properties.hl ? ch.highlight : (k < 0 ? ch.no_data : ch.classes[k].color);
        return { color: ch.edge, weight: ch.edge_width, fillColor: fill, fillOpacity: ch.opacity, className: "atlas-unit" };
      }, function (f) { return f.properties.name + " – " + f.properties.label; }, function (f) {
        var idx = (ch.rows && ch.rows[f.properties.id]) || [];
        var c = popupContent(f.properties.name, f.properties.label, [], null);
        if (idx.length) {
          var ul = el("ul", { "class": "atlas-list" });
          idx.slice(0, D.popup_top_n || idx.length).forEach(function (i) {
            var r = rows[i];
            var li = el("li", null, r.f + " – " + r.p + (r.y ? " (" + r.y + ")" : ""));
            ul.appendChild(li);
          });
          c.appendChild(ul);
          if (D.kind === "world" && tableApi) {
            var tb = el("button", { type: "button", "class": "atlas-button atlas-table-country" }, ui.table_country + " (" + countText(idx.length) + ")");
            tb.addEventListener("click", function () { tableApi.open(f.properties.name, idx); });
            c.appendChild(tb);
          }
        }
        return c;
      }).addTo(map);
    }

    // ---- links: drawn on hover or focus only, from a collectivité to each of its partners ------
    // One SVG over both panels (no permanent hairball); its lines join the markers on screen.
    var linkBox = null;
    if (D.link_style) {
      linkBox = document.createElementNS(SVG_NS, "svg");
      linkBox.setAttribute("class", "atlas-linkbox");
      linkBox.setAttribute("aria-hidden", "true");
      document.body.appendChild(linkBox);
    }
    function centre(m) {
      var r = m.getElement().getBoundingClientRect();
      return [r.left + r.width / 2, r.top + r.height / 2];
    }
    function drawLinks(from, pairs) {
      if (!linkBox) return;
      linkBox.textContent = "";
      if (!from || state.layer.links === false) return;
      var ls = D.link_style, a = centre(from);
      pairs.forEach(function (p) {
        var b = centre(p.m), r = rows[p.r];
        var color = r.th.length && themeByKey[r.th[0]] ? themeByKey[r.th[0]].color : ls.color;
        var mx = (a[0] + b[0]) / 2, my = (a[1] + b[1]) / 2 - Math.abs(b[0] - a[0]) * 0.15;
        var path = document.createElementNS(SVG_NS, "path");
        path.setAttribute("d", "M" + a.join(" ") + " Q" + mx + " " + my + " " + b.join(" "));
        path.setAttribute("class", "atlas-link");
        path.setAttribute("stroke", color);
        path.setAttribute("stroke-width", ls.weight);
        path.setAttribute("stroke-opacity", ls.opacity);
        if (ls.dash) path.setAttribute("stroke-dasharray", ls.dash);
        path.setAttribute("fill", "none");
        linkBox.appendChild(path);
      });
    }

    // ---- permanent arcs, for the maps of one collectivité (payload `links`; the bilateral map has none)
    var linkLayers = [];
    if (D.links && !D.panels) {
      var ls0 = D.link_style, lg = L.layerGroup();
      D.links.forEach(function (lk) {
        var r = rows[lk.r], th0 = r.th || [];
        var color = th0.length && themeByKey[th0[0]] ? themeByKey[th0[0]].color : ls0.color;
        var line = L.polyline(lk.c, { color: color, weight: ls0.weight, opacity: ls0.opacity, dashArray: ls0.dash,
          className: "atlas-link", interactive: true });
        line.bindTooltip(function () { return el("span", null, r.f + " – " + r.p); }, { sticky: true });
        line.bindPopup(function () { return popupContent(r.f + " – " + r.p, null, [lk.r], null); }, popupOpts);
        line._atlasRow = r;
        linkLayers.push(line);
        lg.addLayer(line);
      });
      lg._atlasMap = map;
      groups.links = lg;
      lg.addTo(map);
    }

    // ---- places (French collectivités and partners) as keyboard-reachable DivIcon markers --------
    var markers = [];
    (D.places || []).forEach(function (pl) {
      var sym = typeByKey[pl.t] || D.partner_symbol;
      // A partner symbol takes the colour of its main theme, as in print.
      if (pl.f) sym = Object.assign({}, sym, { fill: pl.f });
      var holder = el("span", { "class": "atlas-symbol" });
      holder.appendChild(shapeSvg(sym));
      var icon = L.divIcon({
        html: holder, className: "atlas-marker atlas-" + (pl.s === "fr" ? "fr" : "pa"),
        iconSize: [sym.size, sym.size], iconAnchor: [sym.size / 2, sym.size / 2]
      });
      var m = L.marker(pl.ll, { icon: icon, keyboard: true, riseOnHover: true, zIndexOffset: pl.s === "fr" ? 100 : 0 });
      var label = pl.n + (pl.tl ? " (" + pl.tl + ")" : "");
      m.bindTooltip(function () { return el("span", null, label); }, { direction: "top", offset: [0, -sym.size / 2] });
      m.bindPopup(function () { return popupContent(pl.n, pl.tl, pl.r, pl.s); }, popupOpts);
      m.on("add", function () {
        var e = m.getElement();
        if (e) e.setAttribute("aria-label", label);
      });
      m._atlasPlace = pl;
      m._atlasMap = mapOf(pl.s);
      markers.push(m);
      m.on("mouseover", function () { highlight(m, false); });
      m.on("mouseout", function () { if (pinned !== m) highlight(pinned, false); });
      // the highlight stays while the marker's popup is open (click or Enter)
      m.on("popupopen", function () { highlight(m, true); });
      m.on("add", function () {
        var e = m.getElement();
        if (!e || e._atlasBound) return;
        e._atlasBound = true;
        e.addEventListener("focus", function () { highlight(m, false); });
        e.addEventListener("blur", function () {
          // after the popup (which takes the focus) has had its say
          setTimeout(function () { if (pinned !== m && current === m) highlight(pinned, false); }, 0);
        });
      });
      m.addTo(m._atlasMap);
    });

    // ---- linked highlight: a collectivité and exactly its partners in the other panel -----------
    var rowMarkers = {};  // row index -> {fr: marker, pa: marker}
    markers.forEach(function (m) {
      m._atlasPlace.r.forEach(function (i) { (rowMarkers[i] = rowMarkers[i] || {})[m._atlasPlace.s] = m; });
    });
    var pinned = null, current = null;
    function highlight(m, pin) {
      if (pin) pinned = m;
      current = m;
      markers.forEach(function (o) { var e = o.getElement(); if (e) e.classList.remove("atlas-hl"); });
      document.body.classList.toggle("atlas-highlighting", !!m);
      if (!m || !D.panels) { drawLinks(null, []); return; }
      var other = m._atlasPlace.s === "fr" ? "pa" : "fr", pairs = [], seen = [];
      m._atlasPlace.r.forEach(function (i) {
        var o = rowMarkers[i] && rowMarkers[i][other];
        if (!o || !rowVisible(rows[i]) || !o._atlasMap.hasLayer(o)) return;
        pairs.push({ m: o, r: i });
        if (seen.indexOf(o) < 0) seen.push(o);
      });
      m.getElement() && m.getElement().classList.add("atlas-hl");
      seen.forEach(function (o) { o.getElement().classList.add("atlas-hl"); });
      drawLinks(m, pairs);
    }
    [maps.fr, maps.pa].forEach(function (mm) {
      mm.on("popupclose", function () { pinned = null; highlight(null, false); });
      mm.on("movestart zoomstart", function () { drawLinks(null, []); });
      mm.on("moveend", function () { if (current) highlight(current, false); });
    });

    // ---- filtering: layer toggles, types and themes ----------------------------------------------
    function placeVisible(pl) {
      if (pl.s === "fr" && state.layer.french === false) return false;
      if (pl.s !== "fr" && state.layer.partners === false) return false;
      if (pl.s === "fr" && state.type[pl.t] === false) return false;
      for (var i = 0; i < pl.r.length; i++) if (rowVisible(rows[pl.r[i]])) return true;
      return !pl.r.length;
    }

    function apply() {
      markers.forEach(function (m) {
        var show = placeVisible(m._atlasPlace), mm = m._atlasMap;
        if (show && !mm.hasLayer(m)) m.addTo(mm);
        if (!show && mm.hasLayer(m)) mm.removeLayer(m);
      });
      highlight(null, false);
      linkLayers.forEach(function (line) {
        var show = state.layer.links !== false && rowVisible(line._atlasRow);
        if (show && !groups.links.hasLayer(line)) groups.links.addLayer(line);
        if (!show && groups.links.hasLayer(line)) groups.links.removeLayer(line);
      });
      if (groups.zones && D.zone_rows) {
        groups.zones.eachLayer(function (l) {
          var idx = D.zone_rows[zoneId(l.feature)] || [];
          var show = !idx.length || idx.some(function (i) { return rowVisible(rows[i]); });
          l.setStyle({ opacity: show ? 1 : 0, fillOpacity: show ? D.zone_style.alpha : 0 });
        });
      }
      updateCount();
      if (groups.units) {
        groups.units.eachLayer(function (l) {
          var show = state.layer.french !== false && state.type[l.feature.properties.t] !== false;
          l.setStyle({ opacity: show ? 1 : 0, fillOpacity: show ? ((typeByKey[l.feature.properties.t] || {}).polygon || {}).alpha : 0 });
        });
      }
      ["zones", "choropleth"].forEach(function (k) {
        if (!groups[k]) return;
        var show = state.layer[k] !== false, gm = groups[k]._atlasMap;
        if (show && !gm.hasLayer(groups[k])) groups[k].addTo(gm);
        if (!show && gm.hasLayer(groups[k])) gm.removeLayer(groups[k]);
      });
      // the legend hides with its layer
      var items = document.querySelectorAll("[data-atlas-legend]");
      for (var i = 0; i < items.length; i++) {
        var parts = items[i].getAttribute("data-atlas-legend").split(":");
        var bucket = parts[0] === "layer" ? state.layer : parts[0] === "type" ? state.type : state.theme;
        var visible = bucket[parts[1]] !== false;
        if (parts[0] === "type" && state.layer.french === false) visible = false;
        items[i].hidden = !visible;
      }
    }

    // ---- controls --------------------------------------------------------------------------------
    function panel(position, cls, title, open, target) {
      var C = L.Control.extend({
        options: { position: position },
        onAdd: function () {
          var d = el("details", { "class": "atlas-panel " + cls });
          if (open) d.setAttribute("open", "");
          d.appendChild(el("summary", null, title));
          this._body = el("div", { "class": "atlas-panel-body" });
          d.appendChild(this._body);
          L.DomEvent.disableClickPropagation(d);
          L.DomEvent.disableScrollPropagation(d);
          return d;
        }
      });
      var c = new C();
      c.addTo(target || map);
      return c._body;
    }

    function swatch(entry) {
      var s = el("span", { "class": "atlas-swatch", "aria-hidden": "true" });
      if (entry.symbol) s.appendChild(shapeSvg(entry.symbol));
      else if (entry.line) s.appendChild(el("span", { "class": "atlas-swatch-line", style: "background:" + entry.line }));
      else if (entry.fill) s.appendChild(el("span", { "class": "atlas-swatch-fill", style: "background:" + entry.fill + ";border-color:" + (entry.edge || entry.fill) }));
      return s;
    }

    // Layer control: checkboxes (native, keyboard-accessible) by layer, by type and by theme.
    if ((D.layers || []).length || types.length || themes.length) {
      var body = panel("topright", "atlas-layers", ui.layers_title, false, maps.pa);
      function checkbox(bucket, key, label, entry) {
        var lab = el("label", { "class": "atlas-check" });
        var box = el("input", { type: "checkbox" });
        box.checked = true;
        box.addEventListener("change", function () { bucket[key] = box.checked; apply(); });
        lab.appendChild(box);
        if (entry) lab.appendChild(swatch(entry));
        lab.appendChild(el("span", null, label));
        return lab;
      }
      function fieldset(title, items, hideTitle) {
        if (!items.length) return;
        var fs = el("fieldset");
        fs.appendChild(el("legend", hideTitle ? { "class": "atlas-visually-hidden" } : null, title));
        items.forEach(function (i) { fs.appendChild(i); });
        body.appendChild(fs);
      }
      fieldset(ui.layers_title, (D.layers || []).map(function (l) { return checkbox(state.layer, l.key, l.label, null); }), true);
      fieldset(ui.types_title, types.map(function (t) { return checkbox(state.type, t.key, t.label, { symbol: t }); }));
      fieldset(ui.themes_title, themes.map(function (t) { return checkbox(state.theme, t.key, t.label, { line: t.color }); }));
    }

    // Legend: sections tied to layers (data-atlas-legend) so they hide with them.
    if (D.legend && D.legend.length) {
      var lbody = panel("bottomleft", "atlas-legend", ui.legend_title, !narrow, maps.pa);
      D.legend.forEach(function (sec) {
        var s = el("section", { "data-atlas-legend": sec.bind || null });
        if (sec.title) s.appendChild(el("h3", null, sec.title));
        var ul = el("ul");
        sec.entries.forEach(function (e) {
          var li = el("li", { "data-atlas-legend": e.bind || null });
          li.appendChild(swatch(e));
          li.appendChild(el("span", null, e.label));
          ul.appendChild(li);
        });
        s.appendChild(ul);
        lbody.appendChild(s);
      });
    }

    // Search over collectivité names: results are buttons (keyboard and screen-reader friendly).
    if (markers.length) {
      var SC = L.Control.extend({
        options: { position: "topleft" },
        onAdd: function () {
          var box = el("div", { "class": "atlas-search", role: "search" });
          var input = el("input", { type: "search", "aria-label": ui.search_placeholder, placeholder: ui.search_placeholder, autocomplete: "off" });
          var status = el("p", { "class": "atlas-visually-hidden", "aria-live": "polite" });
          var list = el("ul", { "class": "atlas-results" });
          box.appendChild(input); box.appendChild(list); box.appendChild(status);
          var index = markers.map(function (m) { return { key: fold(m._atlasPlace.n), m: m }; });
          input.addEventListener("input", function () {
            list.textContent = "";
            var q = fold(input.value.trim());
            if (!q) { status.textContent = ""; return; }
            var hits = index.filter(function (it) { return it.key.indexOf(q) >= 0; }).slice(0, D.search_results);
            if (!hits.length) list.appendChild(el("li", { "class": "atlas-noresult" }, ui.no_results));
            hits.forEach(function (it) {
              var pl = it.m._atlasPlace, li = el("li");
              var b = el("button", { type: "button" }, pl.n + (pl.tl ? " (" + pl.tl + ")" : ""));
              b.addEventListener("click", function () {
                var mm = it.m._atlasMap;
                if (!mm.hasLayer(it.m)) it.m.addTo(mm);
                mm.setView(it.m.getLatLng(), Math.max(mm.getZoom(), D.search_zoom || 6));
                it.m.openPopup();
              });
              li.appendChild(b);
              list.appendChild(li);
            });
            status.textContent = hits.length ? String(hits.length) : ui.no_results;
          });
          L.DomEvent.disableClickPropagation(box);
          L.DomEvent.disableScrollPropagation(box);
          return box;
        }
      });
      new SC().addTo(map);
    }

    L.control.zoom({ position: "topleft", zoomInTitle: ui.zoom_in, zoomOutTitle: ui.zoom_out }).addTo(map);
    if (maps.pa !== map) L.control.zoom({ position: "topleft", zoomInTitle: ui.zoom_in, zoomOutTitle: ui.zoom_out }).addTo(maps.pa);

    // ---- counts ("12 partenariats", each language's plural) and the table ---------------------
    function countText(n) {
      var forms = ui.count || [], f = forms[Math.min(n, 2)] || "{n}";
      return f.replace("{n}", n.toLocaleString(D.lang));
    }
    var countEl = null;
    function updateCount() {
      var n = rows.filter(rowVisible).length;
      if (countEl) countEl.textContent = countText(n);
      var trs = document.querySelectorAll("#atlas-table tr[data-r]");
      for (var i = 0; i < trs.length; i++) trs[i].hidden = !rowVisible(rows[+trs[i].getAttribute("data-r")]);
    }

    // Reset view button and the table of partnerships (server-rendered, escaped HTML).
    var tableApi = null;
    var TC = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var box = el("div", { "class": "atlas-actions" });
        var reset = el("button", { type: "button", "class": "atlas-button" }, ui.reset_view);
        reset.addEventListener("click", fitAll);
        box.appendChild(reset);
        var panelEl = document.getElementById("atlas-table");
        if (panelEl) {
          var tb = el("button", { type: "button", "class": "atlas-button", "aria-expanded": "false", "aria-controls": "atlas-table" }, ui.show_table);
          var sub = null, full = panelEl.querySelector("table");
          function show(open) {
            panelEl.hidden = !open;
            tb.setAttribute("aria-expanded", String(open));
            tb.textContent = open ? ui.hide_table : ui.show_table;
            if (open) panelEl.focus();
            else if (sub) { sub.remove(); sub = null; full.hidden = false; }
          }
          tb.addEventListener("click", function () { show(panelEl.hidden); });
          box.appendChild(tb);
          var closeBtn = panelEl.querySelector(".atlas-table-close");
          if (closeBtn) closeBtn.addEventListener("click", function () { show(false); tb.focus(); });
          // One unit's partnerships (world popups): a table built from the payload, then "show all".
          tableApi = { open: function (title, idx) {
            if (sub) sub.remove();
            sub = el("div", { "class": "atlas-subtable" });
            var all = el("button", { type: "button", "class": "atlas-button" }, ui.show_all);
            all.addEventListener("click", function () { sub.remove(); sub = null; full.hidden = false; panelEl.focus(); });
            sub.appendChild(all);
            var t = el("table"), head = el("tr");
            t.appendChild(el("caption", null, title + " – " + countText(idx.length)));
            [ui.popup.french, ui.popup.partner, ui.popup.year].forEach(function (h) { head.appendChild(el("th", { scope: "col" }, h)); });
            var thead = el("thead"), tbody = el("tbody");
            thead.appendChild(head); t.appendChild(thead);
            idx.forEach(function (i) {
              var r = rows[i], tr = el("tr");
              [r.f, r.p, r.y].forEach(function (v) { tr.appendChild(el("td", null, v === null || v === undefined ? "" : v)); });
              tbody.appendChild(tr);
            });
            t.appendChild(tbody);
            sub.appendChild(t);
            full.hidden = true;
            full.parentNode.insertBefore(sub, full);
            show(true);
          } };
        }
        L.DomEvent.disableClickPropagation(box);
        return box;
      }
    });
    new TC().addTo(maps.pa);

    // ---- year filter: "since <year>", its low end "before 1990" keeps every partnership ----------
    var years = rows.map(function (r) { return r.y; }).filter(function (y) { return typeof y === "number"; });
    if (D.places && D.places.length && years.length && D.year_floor) {
      var floor = D.year_floor, top = Math.max.apply(null, years.concat([floor]));
      var YC = L.Control.extend({
        // on a phone the top right holds the layers button, beside the title: the slider goes below
        options: { position: D.panels || narrow ? "bottomleft" : "topright" },
        onAdd: function () {
          var box = el("div", { "class": "atlas-years atlas-panel" });
          var lab = el("label", { "class": "atlas-years-label", "for": "atlas-year" }, ui.year_filter);
          var input = el("input", { type: "range", id: "atlas-year", min: floor - 1, max: top, step: 1, value: floor - 1 });
          var out = el("output", { "for": "atlas-year", "class": "atlas-years-value" });
          countEl = el("p", { "class": "atlas-count", "aria-live": "polite" });
          function text(v) { return v < floor ? ui.year_before : ui.year_since.replace("{year}", v); }
          function change() {
            var v = +input.value;
            state.since = v < floor ? null : v;
            out.textContent = text(v);
            input.setAttribute("aria-valuetext", text(v));
            apply();
          }
          input.addEventListener("input", change);
          out.textContent = text(floor - 1);
          input.setAttribute("aria-valuetext", text(floor - 1));
          box.appendChild(lab); box.appendChild(input); box.appendChild(out); box.appendChild(countEl);
          L.DomEvent.disableClickPropagation(box);
          L.DomEvent.disableScrollPropagation(box);
          return box;
        }
      });
      new YC().addTo(maps.fr);
    }

    // ---- overseas France: a locator (same order as the print insets) that brings each into view --
    if (D.insets && D.insets.length) {
      var IC = L.Control.extend({
        options: { position: "bottomleft" },
        onAdd: function () {
          var nav = el("nav", { "class": "atlas-insets", "aria-label": ui.overseas });
          nav.appendChild(el("span", { "class": "atlas-insets-title" }, ui.overseas));
          var metro = el("button", { type: "button", "class": "atlas-inset", "data-inset": "metro" }, ui.metropole);
          metro.addEventListener("click", function () { fit(maps.fr, D.panels ? D.panels.fr.bounds : D.bounds); });
          nav.appendChild(metro);
          D.insets.forEach(function (it) {
            var b = el("button", { type: "button", "class": "atlas-inset", "data-inset": it.key }, it.label);
            b.addEventListener("click", function () { maps.fr.fitBounds(it.bounds); });
            nav.appendChild(b);
          });
          L.DomEvent.disableClickPropagation(nav);
          return nav;
        }
      });
      new IC().addTo(maps.fr);
    }

    function fit(m, bounds) {
      // Fit the data in the part of the map the panels leave free (heading on top, legend on the left).
      if (!bounds) return;
      var pad = D.fit_padding || 20, size = m.getSize(), box = m.getContainer(), tl = [pad, pad];
      if (heading && box.contains(heading) && heading.offsetHeight < size.y / 3) tl[1] += heading.offsetHeight;
      var legend = box.querySelector(".atlas-legend[open]");
      if (legend && legend.offsetWidth < size.x / 2) tl[0] += legend.offsetWidth;
      // ... and above the source line and buttons at the bottom.
      var br = [pad, pad], feet = box.querySelectorAll(".leaflet-bottom");
      for (var i = 0; i < feet.length; i++) {
        var h = feet[i].offsetHeight - (feet[i].contains(legend) ? legend.offsetHeight : 0);
        if (h < size.y / 3) br[1] = Math.max(br[1], pad + h);
      }
      m.fitBounds(bounds, { paddingTopLeft: tl, paddingBottomRight: br, animate: false });
    }
    function fitAll() {
      if (D.panels) { fit(maps.fr, D.panels.fr.bounds); fit(maps.pa, D.panels.pa.bounds); }
      else fit(map, D.bounds);
    }
    fitAll();
    apply();
    if (D.panels) window.addEventListener("resize", function () { maps.pa.invalidateSize(); });
  };
})();
