# Install rules and packages. Included once, at the end of the root CMakeLists.txt, so that every program target
# exists here. Linux: `cmake --install` (GNUInstallDirs) and CPack DEB + TGZ (scripts/package.sh builds and checks
# them). Windows (NSIS, windeployqt) and macOS (DragNDrop, macdeployqt): packaging/windows, packaging/macos; these
# cannot be built on the Linux CI machine (packaging/README.md).

set(EVENTSCOPE_APP_ID io.github.eventscope.eventscope)
set(EVENTSCOPE_HOMEPAGE https://github.com/eventscope/eventscope)
set(EVENTSCOPE_MAINTAINER "Eventscope maintainers <eventscope@users.noreply.github.com>")
set(EVENTSCOPE_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(EVENTSCOPE_PACKAGING_BINARY_DIR ${PROJECT_BINARY_DIR}/packaging)

# The programs. Every program the project installs is listed here, so that the packages are built from one list.
set(EVENTSCOPE_INSTALLED_PROGRAMS eventscope-cli)
if(TARGET eventscope)
    list(APPEND EVENTSCOPE_INSTALLED_PROGRAMS eventscope)
endif()
# The projection sandbox is started by the programs, never by people. On Linux it lives in libexec, where
# core/projectionsandbox.cpp looks for it, and so needs no man page; on Windows and macOS it sits beside them.
set(EVENTSCOPE_HELPER_PROGRAMS)
if(TARGET eventscope-sandbox)
    if(APPLE OR WIN32)
        list(APPEND EVENTSCOPE_INSTALLED_PROGRAMS eventscope-sandbox)
    else()
        list(APPEND EVENTSCOPE_HELPER_PROGRAMS eventscope-sandbox)
    endif()
endif()
set(EVENTSCOPE_HELPER_DIR ${CMAKE_INSTALL_LIBEXECDIR}/eventscope)

# The icon: the SVG for hicolor/scalable, and PNGs (and the Windows .ico) rendered from it at build time with QtSvg,
# so that no binary images live in the repository and no tool outside Qt is needed.
if(TARGET eventscope)
    find_package(Qt6 6.4 REQUIRED COMPONENTS Gui Svg)
    add_executable(eventscope-iconrender ${EVENTSCOPE_PACKAGING_DIR}/icons/iconrender.cpp)
    target_link_libraries(eventscope-iconrender PRIVATE Qt6::Gui Qt6::Svg)
    set(EVENTSCOPE_ICON_SVG ${PROJECT_SOURCE_DIR}/resources/icons/eventscope.svg)
    set(EVENTSCOPE_ICON_SIZES 16 22 24 32 48 64 128 256 512)
    set(EVENTSCOPE_ICON_FILES)
    foreach(size IN LISTS EVENTSCOPE_ICON_SIZES)
        set(png ${EVENTSCOPE_PACKAGING_BINARY_DIR}/icons/${size}x${size}/${EVENTSCOPE_APP_ID}.png)
        # The renderer is instrumented in sanitizer builds; Qt's plugin loading is not its concern there.
        add_custom_command(
            OUTPUT ${png}
            COMMAND ${CMAKE_COMMAND} -E make_directory ${EVENTSCOPE_PACKAGING_BINARY_DIR}/icons/${size}x${size}
            COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0 QT_QPA_PLATFORM=offscreen
                    $<TARGET_FILE:eventscope-iconrender> ${EVENTSCOPE_ICON_SVG} ${size} ${png}
            DEPENDS eventscope-iconrender ${EVENTSCOPE_ICON_SVG}
            VERBATIM)
        list(APPEND EVENTSCOPE_ICON_FILES ${png})
    endforeach()
    if(WIN32)
        set(EVENTSCOPE_ICON_ICO ${EVENTSCOPE_PACKAGING_BINARY_DIR}/icons/eventscope.ico)
        add_custom_command(
            OUTPUT ${EVENTSCOPE_ICON_ICO}
            COMMAND $<TARGET_FILE:eventscope-iconrender> ${EVENTSCOPE_ICON_SVG} 256 ${EVENTSCOPE_ICON_ICO}
            DEPENDS eventscope-iconrender ${EVENTSCOPE_ICON_SVG}
            VERBATIM)
        list(APPEND EVENTSCOPE_ICON_FILES ${EVENTSCOPE_ICON_ICO})
    endif()
    add_custom_target(eventscope-icons ALL DEPENDS ${EVENTSCOPE_ICON_FILES})
endif()

# The programs, and on Windows and macOS everything that makes the packages self-contained.
if(APPLE)
    include(${EVENTSCOPE_PACKAGING_DIR}/macos/macos.cmake)
elseif(WIN32)
    include(${EVENTSCOPE_PACKAGING_DIR}/windows/windows.cmake)
else()
    install(TARGETS ${EVENTSCOPE_INSTALLED_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
    if(EVENTSCOPE_HELPER_PROGRAMS)
        install(TARGETS ${EVENTSCOPE_HELPER_PROGRAMS} RUNTIME DESTINATION ${EVENTSCOPE_HELPER_DIR})
    endif()
endif()

# Linux and other freedesktop systems: desktop entry, AppStream metainfo, hicolor icons, man pages and the Debian
# documentation files (copyright, changelog.Debian.gz, lintian overrides).
if(UNIX AND NOT APPLE)
    find_program(EVENTSCOPE_GZIP gzip REQUIRED)
    # gzip -9n: no name or time stamp in the header, so the files are reproducible (lintian checks this).
    function(eventscope_gzip source output)
        add_custom_command(
            OUTPUT ${output}
            COMMAND ${CMAKE_COMMAND} -E copy ${source} ${output}.tmp
            COMMAND ${EVENTSCOPE_GZIP} -9nf ${output}.tmp
            COMMAND ${CMAKE_COMMAND} -E rename ${output}.tmp.gz ${output}
            DEPENDS ${source}
            VERBATIM)
    endfunction()

    # A stripped install (cpack, `cmake --install --strip`) also drops the compiler's .comment section, as Debian's
    # dh_strip does (lintian: binary-has-unneeded-section).
    if(CMAKE_OBJCOPY)
        foreach(program IN LISTS EVENTSCOPE_INSTALLED_PROGRAMS EVENTSCOPE_HELPER_PROGRAMS)
            if(program IN_LIST EVENTSCOPE_HELPER_PROGRAMS)
                set(program_dir ${EVENTSCOPE_HELPER_DIR})
            else()
                set(program_dir ${CMAKE_INSTALL_BINDIR})
            endif()
            install(CODE "
                if(CMAKE_INSTALL_DO_STRIP)
                    execute_process(COMMAND \"${CMAKE_OBJCOPY}\" --remove-section=.comment --remove-section=.note
                        \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${program_dir}/$<TARGET_FILE_NAME:${program}>\"
                        COMMAND_ERROR_IS_FATAL ANY)
                endif()
            ")
        endforeach()
    endif()

    set(man_pages eventscope-cli)
    if(TARGET eventscope)
        list(APPEND man_pages eventscope)
    endif()
    set(gzipped)
    foreach(page IN LISTS man_pages)
        eventscope_gzip(${EVENTSCOPE_PACKAGING_DIR}/man/${page}.1 ${EVENTSCOPE_PACKAGING_BINARY_DIR}/man/${page}.1.gz)
        list(APPEND gzipped ${EVENTSCOPE_PACKAGING_BINARY_DIR}/man/${page}.1.gz)
        install(FILES ${EVENTSCOPE_PACKAGING_BINARY_DIR}/man/${page}.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
    endforeach()

    # The top entry of the Debian changelog names the package version; keep the two in step.
    file(STRINGS ${EVENTSCOPE_PACKAGING_DIR}/debian/changelog changelog_top LIMIT_COUNT 1)
    set(EVENTSCOPE_DEBIAN_RELEASE 1)
    if(NOT changelog_top MATCHES "^eventscope \\(${PROJECT_VERSION}-${EVENTSCOPE_DEBIAN_RELEASE}\\) ")
        message(FATAL_ERROR "packaging/debian/changelog starts with \"${changelog_top}\", not with version "
                            "${PROJECT_VERSION}-${EVENTSCOPE_DEBIAN_RELEASE}: add an entry for this version")
    endif()
    eventscope_gzip(${EVENTSCOPE_PACKAGING_DIR}/debian/changelog
                    ${EVENTSCOPE_PACKAGING_BINARY_DIR}/doc/changelog.Debian.gz)
    list(APPEND gzipped ${EVENTSCOPE_PACKAGING_BINARY_DIR}/doc/changelog.Debian.gz)
    add_custom_target(eventscope-gzipped-docs ALL DEPENDS ${gzipped})

    set(docdir ${CMAKE_INSTALL_DATADIR}/doc/eventscope)
    install(FILES ${EVENTSCOPE_PACKAGING_DIR}/debian/copyright ${EVENTSCOPE_PACKAGING_BINARY_DIR}/doc/changelog.Debian.gz
            DESTINATION ${docdir})
    install(FILES ${EVENTSCOPE_PACKAGING_DIR}/debian/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
            RENAME eventscope)

    if(TARGET eventscope)
        install(FILES ${EVENTSCOPE_PACKAGING_DIR}/linux/${EVENTSCOPE_APP_ID}.desktop
                DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
        install(FILES ${EVENTSCOPE_PACKAGING_DIR}/linux/${EVENTSCOPE_APP_ID}.metainfo.xml
                DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
        install(FILES ${EVENTSCOPE_ICON_SVG} DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps
                RENAME ${EVENTSCOPE_APP_ID}.svg)
        foreach(size IN LISTS EVENTSCOPE_ICON_SIZES)
            install(FILES ${EVENTSCOPE_PACKAGING_BINARY_DIR}/icons/${size}x${size}/${EVENTSCOPE_APP_ID}.png
                    DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps)
        endforeach()
    endif()
endif()

# CPack: what every package says about itself.
set(CPACK_PACKAGE_NAME eventscope)
set(CPACK_PACKAGE_VENDOR "The Eventscope authors")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${EVENTSCOPE_MAINTAINER})
set(CPACK_PACKAGE_HOMEPAGE_URL ${EVENTSCOPE_HOMEPAGE})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "inspector for event stores kept in Redis")
# Wrapped by hand: Debian's control file keeps the lines as they are, and lintian wants them under 80 columns.
set(CPACK_PACKAGE_DESCRIPTION
    "Eventscope lists the streams of an event store kept in Redis (one hash of
commits under sequential ids, one list of commit ids per stream, a Lua commit
script announcing each commit on a Pub/Sub channel) with their versions, and
reads payloads of any size and encoding: JSON, text or binary. It is read-only
by default, scans incrementally, reads in pages and supports TLS and ACL users,
so it is safe on production servers.

The package contains the inspector window (eventscope) and a command-line
program (eventscope-cli) that lists streams, prints events as text or JSON
lines, appends events and seeds demo data.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGE_INSTALL_DIRECTORY Eventscope)
set(CPACK_STRIP_FILES ON)
set(CPACK_VERBATIM_VARIABLES ON)
set(CPACK_PACKAGE_CHECKSUM SHA256)

# Windows and macOS: windows.cmake and macos.cmake (included above) set the generators and their options.
if(UNIX AND NOT APPLE)
    set(CPACK_GENERATOR DEB TGZ)
    set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
    set(CPACK_DEBIAN_PACKAGE_RELEASE ${EVENTSCOPE_DEBIAN_RELEASE})
    set(CPACK_DEBIAN_PACKAGE_SECTION database)
    set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    # Not linked, so shlibdeps cannot see it: the SVG image plugin draws the window icon.
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6svg6")
    set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "qt6-wayland")
    set(CPACK_DEBIAN_PACKAGE_SUGGESTS "redis-server, redis-tools")
    set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
endif()

include(CPack)
