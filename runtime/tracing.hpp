// Tracing glue (tracing.cpp): FT_TRACE, and the snapshot of every fiber at trace start.
#pragma once

namespace ft::rt {

void trace_start_from_env();
void trace_stop_from_env();
void trace_stop_on_fatal();

}  // namespace ft::rt
