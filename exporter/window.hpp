// Time-window queries over a Model: what a viewer needs to draw [t0, t1] at a given pixel
// width, without re-reading the trace and without handing out more items than pixels.
//
// Contract:
//  * A track's result lists the slices overlapping [t0, t1] (t1 >= q.t0 and t0 <= q.t1) in
//    time order. Runs of consecutive slices that are each shorter than one pixel and separated
//    by less than one pixel are merged into one WinSlice with count > 1, so a track yields at
//    most about 2 * width_px items, whatever the zoom.
//  * Counter tracks return sample indices: the sample in effect at t0 (the last one before it,
//    if any), then per pixel at most two: the one with the largest sum of values (so peaks
//    stay visible) and the last one (so the line ends at the right level), in time order.
//  * Flows are listed (indices into Model::flows) when both ends lie on requested tracks and
//    the arrow's time range [producer t_from, consumer t0] overlaps the window.
//  * Cost: O(log n) per track to find the window, then linear in what lies inside it.
#pragma once

#include <cstdint>
#include <vector>

#include "model.hpp"

namespace ft::exporter {

enum class TrackKind : uint8_t { Proc, Thread, Fiber, Counter };

struct TrackRef {
  TrackKind kind = TrackKind::Proc;
  uint32_t index = 0;  // proc index, thread index, fiber index or CounterId
  bool operator==(const TrackRef&) const = default;
};

struct WindowQuery {
  std::vector<TrackRef> tracks;
  Ns t0 = 0, t1 = 0;
  uint32_t width_px = 1000;
};

struct WinSlice {
  Ns t0 = 0, t1 = 0;
  uint32_t slice = 0;      // first slice of the run (index into Model::slices)
  uint32_t count = 1;      // 1: a real slice; > 1: that many merged sub-pixel slices
  uint32_t fiber = kNone;  // the run's fiber when all merged slices share it, else kNone
};

struct WinTrack {
  TrackRef track;
  std::vector<WinSlice> slices;   // Proc, Thread, Fiber tracks
  std::vector<uint32_t> samples;  // Counter tracks: sample indices into the Counter
};

struct WindowResult {
  std::vector<WinTrack> tracks;  // one per requested track, in request order
  std::vector<uint32_t> flows;   // indices into Model::flows, sorted
  double ns_per_px = 1;
};

// Throws std::invalid_argument for an unknown track index or t1 < t0 (the server answers 400).
WindowResult query_window(const Model& m, const WindowQuery& q);

// The slices of one track (Proc, Thread or Fiber), as indices sorted by t0.
std::span<const uint32_t> track_slices(const Model& m, TrackRef t);

}  // namespace ft::exporter
