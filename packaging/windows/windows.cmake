# Windows: an NSIS installer (and a .zip of the same files), made self-contained by windeployqt. Needs NSIS (makensis)
# and a Qt 6 for Windows with windeployqt; hiredis's DLL is found next to its import library. Not built on CI.

find_program(EVENTSCOPE_WINDEPLOYQT windeployqt HINTS "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}" REQUIRED)

if(TARGET eventscope)
    # A GUI program: no console window. (`eventscope --help` then prints nowhere; eventscope-cli is the console tool.)
    set_target_properties(eventscope PROPERTIES WIN32_EXECUTABLE ON)
endif()

# Non-Qt DLLs the programs load (hiredis, OpenSSL where linked): found by CMake from the executables, without the
# system's and Qt's, which Windows and windeployqt provide.
set(dll_dirs)
foreach(dir IN LISTS HIREDIS_LIBRARY_DIRS)
    list(APPEND dll_dirs ${dir} ${dir}/../bin)
endforeach()
install(TARGETS ${EVENTSCOPE_INSTALLED_PROGRAMS} RUNTIME_DEPENDENCY_SET eventscope_runtime RUNTIME DESTINATION bin)
install(RUNTIME_DEPENDENCY_SET eventscope_runtime
        PRE_EXCLUDE_REGEXES "api-ms-.*" "ext-ms-.*" "^Qt6.*" "^qt6.*"
        POST_EXCLUDE_REGEXES ".*[Ss]ystem32/.*\\.dll" ".*[Ww]indows/.*"
        DIRECTORIES ${dll_dirs} "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}"
        RUNTIME DESTINATION bin)

# At install time (cpack installs into a staging prefix first): Qt's DLLs, plugins (platforms, styles, image formats
# including SVG for the icon, TLS backends) and the compiler runtime next to the programs.
set(deploy_targets)
foreach(program IN LISTS EVENTSCOPE_INSTALLED_PROGRAMS)
    list(APPEND deploy_targets "\"\${bin}/$<TARGET_FILE_NAME:${program}>\"")
endforeach()
list(JOIN deploy_targets " " deploy_targets)
install(CODE "
    set(bin \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/bin\")
    execute_process(COMMAND \"${EVENTSCOPE_WINDEPLOYQT}\" --release --no-translations --no-system-d3d-compiler
                            --no-opengl-sw --compiler-runtime --dir \"\${bin}\" ${deploy_targets}
                    COMMAND_ERROR_IS_FATAL ANY)
")

set(CPACK_GENERATOR NSIS ZIP)
set(CPACK_PACKAGE_FILE_NAME eventscope-${PROJECT_VERSION}-windows-x64)
set(CPACK_PACKAGE_INSTALL_REGISTRY_KEY Eventscope)
set(CPACK_PACKAGE_EXECUTABLES eventscope Eventscope)
set(CPACK_CREATE_DESKTOP_LINKS eventscope)
set(CPACK_NSIS_DISPLAY_NAME Eventscope)
set(CPACK_NSIS_PACKAGE_NAME Eventscope)
set(CPACK_NSIS_URL_INFO_ABOUT ${EVENTSCOPE_HOMEPAGE})
set(CPACK_NSIS_HELP_LINK ${EVENTSCOPE_HOMEPAGE})
set(CPACK_NSIS_INSTALLED_ICON_NAME bin\\eventscope.exe)
set(CPACK_NSIS_MUI_ICON ${EVENTSCOPE_ICON_ICO})
set(CPACK_NSIS_MUI_UNIICON ${EVENTSCOPE_ICON_ICO})
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
# Offer to put eventscope-cli on PATH.
set(CPACK_NSIS_MODIFY_PATH ON)
