# ctest: `cmake --install` places both executables, the .desktop entry and the icon (issue #3),
# and the Python module (issue 17).
# Run as: cmake -DBUILD_DIR=... -DPREFIX=... [-DPYTHON=python3 -DSITE=lib/python3.X/dist-packages]
#         -P check_install.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()
foreach(f bin/noetherlab bin/noetherlab-cli share/applications/noetherlab.desktop
          share/icons/hicolor/scalable/apps/noetherlab.svg)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
file(READ "${PREFIX}/share/applications/noetherlab.desktop" desktop)
foreach(key "[Desktop Entry]" "Type=Application" "Exec=noetherlab" "Icon=noetherlab" "Name=")
  string(FIND "${desktop}" "${key}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "noetherlab.desktop lacks ${key}")
  endif()
endforeach()
if(PYTHON)
  # The Python module: under SITE, importable from there, and SITE under the default prefix
  # /usr/local is on the interpreter's own sys.path (Debian's python3 finds a plain install).
  file(GLOB module "${PREFIX}/${SITE}/noetherlab*.so")
  if(NOT module)
    message(FATAL_ERROR "not installed: ${SITE}/noetherlab*.so")
  endif()
  execute_process(COMMAND "${CMAKE_COMMAND}" -E env "PYTHONPATH=${PREFIX}/${SITE}"
                          "${PYTHON}" -c "import noetherlab, sys; print(noetherlab.__file__); print(sys.path)"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the installed module does not import: ${err}")
  endif()
  string(FIND "${out}" "${PREFIX}/${SITE}/noetherlab" at)
  string(FIND "${out}" "'/usr/local/${SITE}'" on_path)
  if(at EQUAL -1 OR on_path EQUAL -1)
    message(FATAL_ERROR "module not imported from the install, or /usr/local/${SITE} not on ${PYTHON}'s path: ${out}")
  endif()
endif()
file(REMOVE_RECURSE "${PREFIX}")
