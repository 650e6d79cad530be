# The payload pane: pretty JSON, JSON tree, raw text and hex views of one commit's payload.
target_sources(eventscope_ui PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/jsonhighlighter.cpp ${CMAKE_CURRENT_LIST_DIR}/jsonhighlighter.h
    ${CMAKE_CURRENT_LIST_DIR}/payloadview.cpp ${CMAKE_CURRENT_LIST_DIR}/payloadview.h
)
