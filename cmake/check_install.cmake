# ctest: `cmake --install` places both executables, the .desktop entry and the icon (issue #3).
# Run as: cmake -DBUILD_DIR=... -DPREFIX=... -P check_install.cmake
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
file(REMOVE_RECURSE "${PREFIX}")
