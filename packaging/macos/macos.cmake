# macOS: Eventscope.app with eventscope-cli inside it, made self-contained by macdeployqt, in a DragNDrop .dmg.
# Needs Xcode's command-line tools (iconutil, hdiutil) and a Qt 6 for macOS with macdeployqt. Not built on CI.

find_program(EVENTSCOPE_MACDEPLOYQT macdeployqt HINTS "${QT6_INSTALL_PREFIX}/${QT6_INSTALL_BINS}" REQUIRED)
find_program(EVENTSCOPE_ICONUTIL iconutil REQUIRED)

set(bundle Eventscope.app)
if(TARGET eventscope)
    set_target_properties(eventscope PROPERTIES
        OUTPUT_NAME Eventscope
        MACOSX_BUNDLE ON
        MACOSX_BUNDLE_BUNDLE_NAME Eventscope
        MACOSX_BUNDLE_GUI_IDENTIFIER ${EVENTSCOPE_APP_ID}
        MACOSX_BUNDLE_BUNDLE_VERSION ${PROJECT_VERSION}
        MACOSX_BUNDLE_SHORT_VERSION_STRING ${PROJECT_VERSION}
        MACOSX_BUNDLE_COPYRIGHT "Copyright 2026 The Eventscope authors; MIT licence"
        MACOSX_BUNDLE_ICON_FILE eventscope.icns)
    install(TARGETS eventscope BUNDLE DESTINATION .)
    # The command-line programs go inside the bundle, so that macdeployqt points them at the same frameworks.
    set(cli_programs ${EVENTSCOPE_INSTALLED_PROGRAMS})
    list(REMOVE_ITEM cli_programs eventscope)
    install(TARGETS ${cli_programs} RUNTIME DESTINATION ${bundle}/Contents/MacOS)

    # The .icns from the PNGs rendered in packaging.cmake (iconutil wants an .iconset folder of fixed names).
    set(iconset ${EVENTSCOPE_PACKAGING_BINARY_DIR}/icons/eventscope.iconset)
    set(icns ${EVENTSCOPE_PACKAGING_BINARY_DIR}/icons/eventscope.icns)
    set(iconset_commands)
    foreach(pair 16:16x16 32:16x16@2x 32:32x32 64:32x32@2x 128:128x128 256:128x128@2x 256:256x256 512:256x256@2x
            512:512x512)
        string(REPLACE ":" ";" pair ${pair})
        list(GET pair 0 size)
        list(GET pair 1 name)
        list(APPEND iconset_commands COMMAND ${CMAKE_COMMAND} -E copy
             ${EVENTSCOPE_PACKAGING_BINARY_DIR}/icons/${size}x${size}/${EVENTSCOPE_APP_ID}.png ${iconset}/icon_${name}.png)
    endforeach()
    add_custom_command(
        OUTPUT ${icns}
        COMMAND ${CMAKE_COMMAND} -E make_directory ${iconset}
        ${iconset_commands}
        COMMAND ${EVENTSCOPE_ICONUTIL} -c icns -o ${icns} ${iconset}
        DEPENDS eventscope-icons
        VERBATIM)
    add_custom_target(eventscope-icns ALL DEPENDS ${icns})
    install(FILES ${icns} DESTINATION ${bundle}/Contents/Resources)

    set(executable_args)
    foreach(program IN LISTS cli_programs)
        list(APPEND executable_args "-executable=\${bundle_path}/Contents/MacOS/$<TARGET_FILE_NAME:${program}>")
    endforeach()
    list(JOIN executable_args " " executable_args)
    # At install time (cpack installs into a staging prefix first): copy Qt's frameworks and plugins into the
    # bundle and point every program at them.
    install(CODE "
        set(bundle_path \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${bundle}\")
        execute_process(COMMAND \"${EVENTSCOPE_MACDEPLOYQT}\" \"\${bundle_path}\" -always-overwrite
                                ${executable_args}
                        COMMAND_ERROR_IS_FATAL ANY)
    ")
else()
    install(TARGETS ${EVENTSCOPE_INSTALLED_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

set(CPACK_GENERATOR DragNDrop)
set(CPACK_DMG_VOLUME_NAME Eventscope)
set(CPACK_DMG_FORMAT UDZO)
set(CPACK_PACKAGE_FILE_NAME eventscope-${PROJECT_VERSION}-macos)
