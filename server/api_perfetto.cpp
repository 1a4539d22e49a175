// /api/trace.pftrace?view=&goid=&download=: the trace in Perfetto's protobuf format
// (exporter/perfetto/writer.hpp), what "Open in Perfetto UI" hands over and "Download Perfetto
// trace" saves. Already compressed (deflated packets), so it is sent as is. A whole view is
// built once and cached (the 6M-event ping-pong trace is 44 MB); a focused one (goid) per
// request. With several traces (`fibertrace view a.out b.out`) it is their merged timeline.
#include "api.hpp"
#include "api_util.hpp"
#include "exporter/perfetto/writer.hpp"

namespace ft::server {

using namespace ft::exporter;
using detail::opt_u64;

Response Api::trace_pftrace(const Request& req) {
  const detail::ViewQuery q = detail::view_query(req, m_);
  if (q.goid && opt_.merged.size() > 1) throw BadRequest("goid names a fiber of one trace");
  auto make = [&] {
    perfetto::Options o;
    o.view = q.view;
    o.goid = q.goid;
    StringSink s;
    std::vector<perfetto::Source> one{{&m_, opt_.file_name, 0}};
    const auto& src = opt_.merged.empty() ? one : opt_.merged;
    perfetto::write_perfetto(src, o, s);
    Response r;
    r.content_type = "application/octet-stream";
    r.body = std::make_shared<const std::string>(std::move(s.str()));
    r.cache_control = "no-cache";
    return r;
  };
  Response r = q.goid ? make() : cached("trace.pftrace:" + q.name, make);
  auto d = req.query.find("download");
  if (d != req.query.end() && d->second != "0") {
    std::string name = opt_.file_name.substr(opt_.file_name.find_last_of('/') + 1);
    name = name.substr(0, name.rfind('.'));
    if (name.empty()) name = "trace";
    if (q.view != View::Proc) name += "-" + q.name;
    if (q.goid) name += "-g" + std::to_string(*q.goid);
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + ".pftrace\"");
  }
  return r;
}

}  // namespace ft::server
