// fibertrace: Go-style fibers, channels and an execution tracer for C++.
// Everything a program needs: #include <ft/ft.hpp>.
#pragma once

#include "chan.hpp"
#include "fiber.hpp"
#include "net.hpp"
#include "select.hpp"
#include "sync.hpp"
#include "syscall.hpp"
#include "time.hpp"
#if __has_include("trace.hpp")
#include "trace.hpp"
#endif
