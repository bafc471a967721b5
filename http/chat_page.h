// The built-in chat page (docs/http-api.md, "The chat page"): GET / answers the page and
// GET /page/NAME its other files (http/page/, embedded in the binary), with their content
// types and a strict Content-Security-Policy: scripts, styles, images and fetches from
// this origin only, no inline code, no framing. The files hold no data, so anyone who may
// connect gets them; everything the page shows comes from the API at the caller's level
// (on a TCP listener with keys, the key typed into the page).
#pragma once

#include "http/router.h"

namespace hfd::http {

void AddChatPageRoutes(Router& router);

}  // namespace hfd::http
