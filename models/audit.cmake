# The audit panel's findings, grouped by check (core/auditor.h).
target_sources(eventscope_models PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/auditfindingsmodel.cpp ${CMAKE_CURRENT_LIST_DIR}/auditfindingsmodel.h
)
