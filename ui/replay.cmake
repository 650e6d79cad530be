# The replay view: projection editor (JavaScript colours, line numbers), limits form, run/scrub/diff/compare.
target_sources(eventscope_ui PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/jshighlighter.cpp ${CMAKE_CURRENT_LIST_DIR}/jshighlighter.h
    ${CMAKE_CURRENT_LIST_DIR}/projectioneditor.cpp ${CMAKE_CURRENT_LIST_DIR}/projectioneditor.h
    ${CMAKE_CURRENT_LIST_DIR}/replaylimitsform.cpp ${CMAKE_CURRENT_LIST_DIR}/replaylimitsform.h
    ${CMAKE_CURRENT_LIST_DIR}/replayview.cpp ${CMAKE_CURRENT_LIST_DIR}/replayview.h
)
