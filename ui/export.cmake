# The export dialog: a stream or a version range to JSON Lines or CSV, with progress and cancel.
target_sources(eventscope_ui PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/exportdialog.cpp ${CMAKE_CURRENT_LIST_DIR}/exportdialog.h
)
