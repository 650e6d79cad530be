# The payload pane's models (see ui/payloadview.h): JSON text forms, the JSON tree and the hex dump.
target_sources(eventscope_models PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/hexdumpmodel.cpp ${CMAKE_CURRENT_LIST_DIR}/hexdumpmodel.h
    ${CMAKE_CURRENT_LIST_DIR}/jsonformat.cpp ${CMAKE_CURRENT_LIST_DIR}/jsonformat.h
    ${CMAKE_CURRENT_LIST_DIR}/jsontreemodel.cpp ${CMAKE_CURRENT_LIST_DIR}/jsontreemodel.h
)
