# The dashboard's assets: our page (admin/dashboard/web/) plus uPlot from the npm registry,
# installed at build time into the build tree with `npm ci` (pinned by package-lock.json) and
# compiled into meshlb_admin. The same install brings playwright-core for the browser test.
find_program(MESHLB_NPM npm REQUIRED)
set(MESHLB_DASHBOARD_SRC ${PROJECT_SOURCE_DIR}/admin/dashboard)
set(MESHLB_DASHBOARD_NPM ${CMAKE_BINARY_DIR}/dashboard-npm)
set(MESHLB_DASHBOARD_NODE_MODULES ${MESHLB_DASHBOARD_NPM}/node_modules CACHE INTERNAL "")
set(MESHLB_UPLOT_DIST ${MESHLB_DASHBOARD_NPM}/node_modules/uplot/dist)
file(MAKE_DIRECTORY ${MESHLB_DASHBOARD_NPM})  # the npm command's working directory
add_custom_command(
  OUTPUT ${MESHLB_UPLOT_DIST}/uPlot.iife.min.js ${MESHLB_UPLOT_DIST}/uPlot.min.css
  COMMAND ${CMAKE_COMMAND} -E copy ${MESHLB_DASHBOARD_SRC}/package.json
          ${MESHLB_DASHBOARD_SRC}/package-lock.json ${MESHLB_DASHBOARD_NPM}
  COMMAND ${MESHLB_NPM} ci --no-audit --no-fund --loglevel=error
  COMMAND ${CMAKE_COMMAND} -E touch ${MESHLB_UPLOT_DIST}/uPlot.iife.min.js
          ${MESHLB_UPLOT_DIST}/uPlot.min.css
  WORKING_DIRECTORY ${MESHLB_DASHBOARD_NPM}
  DEPENDS ${MESHLB_DASHBOARD_SRC}/package.json ${MESHLB_DASHBOARD_SRC}/package-lock.json
  COMMENT "npm ci: uPlot and playwright-core for the dashboard"
  VERBATIM)

set(MESHLB_DASHBOARD_ASSETS
    "index.html|text/html|${MESHLB_DASHBOARD_SRC}/web/index.html"
    "app.js|text/javascript|${MESHLB_DASHBOARD_SRC}/web/app.js"
    "style.css|text/css|${MESHLB_DASHBOARD_SRC}/web/style.css"
    "uPlot.iife.min.js|text/javascript|${MESHLB_UPLOT_DIST}/uPlot.iife.min.js"
    "uPlot.min.css|text/css|${MESHLB_UPLOT_DIST}/uPlot.min.css")
set(MESHLB_DASHBOARD_INC ${CMAKE_BINARY_DIR}/generated/admin/dashboard/dashboard_assets.inc)
set(MESHLB_DASHBOARD_FILES)
foreach(entry IN LISTS MESHLB_DASHBOARD_ASSETS)
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 2 path)
  list(APPEND MESHLB_DASHBOARD_FILES ${path})
endforeach()
# One command-line argument: entries joined with "@@" (a ';' would split it).
string(JOIN "@@" MESHLB_DASHBOARD_ASSETS_ARG ${MESHLB_DASHBOARD_ASSETS})
add_custom_command(
  OUTPUT ${MESHLB_DASHBOARD_INC}
  COMMAND ${CMAKE_COMMAND} "-DASSETS=${MESHLB_DASHBOARD_ASSETS_ARG}" -DOUTPUT=${MESHLB_DASHBOARD_INC}
          -P ${MESHLB_DASHBOARD_SRC}/embed_assets.cmake
  DEPENDS ${MESHLB_DASHBOARD_FILES} ${MESHLB_DASHBOARD_SRC}/embed_assets.cmake
  COMMENT "Embedding the dashboard"
  VERBATIM)
