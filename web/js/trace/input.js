// Mouse and keyboard navigation of the timeline, as in the chapter's viewer:
//   wheel            zoom at the pointer (Shift+wheel or a horizontal swipe pans)
//   drag             pan in time and scroll the rows
//   W / S            zoom in / out at the pointer (held: continuous)
//   A / D            pan left / right (held: continuous)
//   0                fit the whole trace;  Esc  clear the selection
//   click            select what is under the pointer
// A key press applies one step at once (so a tap always moves the view), then keeps moving
// every animation frame while the key is held.

const ZOOM_STEP = 0.8;   // per tap of W (S: its inverse)
const PAN_STEP = 0.1;    // per tap of A/D, fraction of the visible range
const FRAME_ZOOM = 0.94; // per frame while W is held
const FRAME_PAN = 0.02;

export function attachInput({ canvas, scroller, vp, onChange, onClick, onHover, onKey }) {
  let pointerX = null;
  const anchor = () => (pointerX != null ? pointerX : vp.width / 2);

  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const horizontal = e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY);
    const scale = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 400 : 1;
    if (horizontal) {
      vp.pan((e.shiftKey ? e.deltaY : e.deltaX) * scale);
    } else {
      vp.zoom(Math.exp(e.deltaY * scale * 0.002), e.offsetX);
    }
    onChange();
  }, { passive: false });

  // Drag to pan; a press that barely moves is a click.
  let drag = null;
  canvas.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    canvas.focus({ preventScroll: true });
    drag = { x: e.clientX, y: e.clientY, lastX: e.clientX, lastY: e.clientY, moved: false };
    canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    pointerX = e.offsetX;
    if (drag) {
      const dx = e.clientX - drag.lastX;
      const dy = e.clientY - drag.lastY;
      if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 4) {
        drag.moved = true;
        canvas.classList.add('dragging');
      }
      if (drag.moved) {
        vp.pan(-dx);
        scroller.scrollTop -= dy;
        onChange();
      }
      drag.lastX = e.clientX;
      drag.lastY = e.clientY;
      onHover(null);
    } else {
      onHover(e.offsetX, e.offsetY, e.clientX, e.clientY);
    }
  });
  canvas.addEventListener('pointerup', (e) => {
    if (!drag) return;
    const wasClick = !drag.moved;
    drag = null;
    canvas.classList.remove('dragging');
    if (wasClick) onClick(e.offsetX, e.offsetY);
  });
  canvas.addEventListener('pointerleave', () => {
    pointerX = null;
    onHover(null);
  });

  // Keys: one step now, then per frame while held.
  const held = new Set();
  let raf = 0;
  const step = (k, frame) => {
    if (k === 'w') vp.zoom(frame ? FRAME_ZOOM : ZOOM_STEP, anchor());
    else if (k === 's') vp.zoom(1 / (frame ? FRAME_ZOOM : ZOOM_STEP), anchor());
    else if (k === 'a') vp.pan(-vp.width * (frame ? FRAME_PAN : PAN_STEP));
    else if (k === 'd') vp.pan(vp.width * (frame ? FRAME_PAN : PAN_STEP));
  };
  const tick = () => {
    raf = 0;
    if (!held.size) return;
    for (const k of held) step(k, true);
    onChange();
    raf = requestAnimationFrame(tick);
  };
  window.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    // Keys typed into a text field or a select are not navigation; a ticked checkbox keeps the
    // focus after View Options, and W/A/S/D must still work then.
    const t = e.target;
    const tag = (t && t.tagName) || '';
    if ((tag === 'INPUT' && !['checkbox', 'radio', 'button'].includes(t.type)) || tag === 'SELECT' || tag === 'TEXTAREA') return;
    const k = e.key.toLowerCase();
    if ('wasd'.includes(k) && k.length === 1) {
      e.preventDefault();
      if (!held.has(k)) {
        held.add(k);
        step(k, false);
        onChange();
        // Continuous movement starts only if the key is still down after a short delay.
        setTimeout(() => { if (held.has(k) && !raf) raf = requestAnimationFrame(tick); }, 180);
      }
    } else if (k === '0') {
      vp.fit();
      onChange();
    } else if (onKey) {
      onKey(e);
    }
  });
  window.addEventListener('keyup', (e) => held.delete(e.key.toLowerCase()));
  window.addEventListener('blur', () => held.clear());
}
