# Search results (issue 6).
target_sources(eventscope_models PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/searchresultsmodel.cpp ${CMAKE_CURRENT_LIST_DIR}/searchresultsmodel.h
)
