// Field numbers and enum values of Perfetto's trace format that our writer emits. These are
// facts of the public format, looked up in Perfetto's published protos (named beside each
// group below); no Perfetto code or .proto file is part of this project.
// test/exporter/perfetto/fibertrace_perfetto.proto is our own minimal schema for exactly these
// fields, used with Debian's protoc to check the encoding independently.
#pragma once

#include <cstdint>

namespace ft::exporter::perfetto::pf {

// trace.proto: Trace { repeated TracePacket packet = 1; }
inline constexpr uint32_t kTracePacket = 1;

// trace_packet.proto: TracePacket
namespace packet {
inline constexpr uint32_t kClockSnapshot = 6, kTimestamp = 8, kTrustedSequenceId = 10,
                          kTrackEvent = 11, kInternedData = 12, kSequenceFlags = 13,
                          kCompressedPackets = 50, kTimestampClockId = 58, kDefaults = 59,
                          kTrackDescriptor = 60, kFirstPacketOnSequence = 87;
// TracePacket.SequenceFlags
inline constexpr uint32_t kSeqIncrementalStateCleared = 1, kSeqNeedsIncrementalState = 2;
}  // namespace packet

// trace_packet_defaults.proto: TracePacketDefaults { timestamp_clock_id = 58; }
namespace defaults {
inline constexpr uint32_t kTimestampClockId = 58;
}

// clock_snapshot.proto: ClockSnapshot { repeated Clock clocks = 1; }
// Clock { clock_id = 1; timestamp = 2; is_incremental = 3; }; builtin_clock.proto: BOOTTIME = 6.
// Clock ids 64..127 are scoped to the packet sequence.
namespace clock {
inline constexpr uint32_t kClocks = 1, kClockId = 1, kTimestamp = 2, kIsIncremental = 3;
inline constexpr uint32_t kBoottime = 6, kSequenceClock = 64;
}  // namespace clock

// track_descriptor.proto: TrackDescriptor
namespace track {
inline constexpr uint32_t kUuid = 1, kName = 2, kProcess = 3, kParentUuid = 5, kCounter = 8,
                          kChildOrdering = 11, kSiblingOrderRank = 12;
inline constexpr uint32_t kOrderingExplicit = 3;  // ChildTracksOrdering.EXPLICIT
}  // namespace track

// process_descriptor.proto: ProcessDescriptor { pid = 1; repeated cmdline = 2; process_name = 6; }
namespace process {
inline constexpr uint32_t kPid = 1, kCmdline = 2, kName = 6;
}

// counter_descriptor.proto: CounterDescriptor { unit = 3; }, Unit: COUNT = 2, SIZE_BYTES = 3.
namespace counter {
inline constexpr uint32_t kUnit = 3, kUnitCount = 2, kUnitBytes = 3;
}

// track_event.proto: TrackEvent
namespace event {
inline constexpr uint32_t kCategoryIids = 3, kDebugAnnotations = 4, kType = 9, kNameIid = 10,
                          kTrackUuid = 11, kExtraCounterValues = 12, kCounterValue = 30,
                          kExtraCounterTrackUuids = 31, kFlowIds = 47, kTerminatingFlowIds = 48,
                          kCallstackIid = 56;
// TrackEvent.Type
inline constexpr uint32_t kSliceBegin = 1, kSliceEnd = 2, kInstant = 3, kCounter = 4;
}  // namespace event

// debug_annotation.proto: DebugAnnotation { name_iid = 1; uint_value = 3; int_value = 4;
// string_value = 6; string_value_iid = 17; }
namespace annotation {
inline constexpr uint32_t kNameIid = 1, kUint = 3, kInt = 4, kString = 6, kStringIid = 17;
}

// interned_data.proto: InternedData. Every entry message has iid = 1; EventCategory, EventName
// and DebugAnnotationName have name = 2, profile_common.proto's InternedString has str = 2.
namespace interned {
inline constexpr uint32_t kEventCategories = 1, kEventNames = 2, kAnnotationNames = 3,
                          kFunctionNames = 5, kFrames = 6, kCallstacks = 7, kAnnotationStrings = 29;
inline constexpr uint32_t kIid = 1, kName = 2;
}  // namespace interned

// profile_common.proto: Frame { iid = 1; function_name_id = 2; line_number = 6; }
// Callstack { iid = 1; repeated frame_ids = 2; } (frame_ids bottom, i.e. outermost, first)
namespace frame {
inline constexpr uint32_t kIid = 1, kFunctionNameId = 2, kLineNumber = 6;
}
namespace callstack {
inline constexpr uint32_t kIid = 1, kFrameIds = 2;
}

}  // namespace ft::exporter::perfetto::pf
