# Search (dock) and the sealed export and verify dialogs (issue 6): the core Searcher and SealedExporter run on a
# connection and thread of their own (core/workerconnection).
target_sources(eventscope_ui PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/streamscopeedit.cpp ${CMAKE_CURRENT_LIST_DIR}/streamscopeedit.h
    ${CMAKE_CURRENT_LIST_DIR}/searchpanel.cpp ${CMAKE_CURRENT_LIST_DIR}/searchpanel.h
    ${CMAKE_CURRENT_LIST_DIR}/sealedexportdialog.cpp ${CMAKE_CURRENT_LIST_DIR}/sealedexportdialog.h
)
