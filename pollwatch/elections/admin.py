from django.contrib import admin

from pollwatch.elections.models import Candidate, CandidateVotes, Contest, Election, StationResult


class ContestInline(admin.TabularInline):
    model = Contest
    extra = 0


class CandidateInline(admin.TabularInline):
    model = Candidate
    extra = 0


class CandidateVotesInline(admin.TabularInline):
    model = CandidateVotes
    extra = 0
    raw_id_fields = ("candidate",)


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "date", "kind")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ContestInline]


@admin.register(Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ("name", "election")
    inlines = [CandidateInline]


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("ballot_position", "name", "party", "contest")
    list_filter = ("contest",)


@admin.register(StationResult)
class StationResultAdmin(admin.ModelAdmin):
    list_display = ("station", "contest", "registered", "ballots", "invalid")
    raw_id_fields = ("station",)
    inlines = [CandidateVotesInline]


@admin.register(CandidateVotes)
class CandidateVotesAdmin(admin.ModelAdmin):
    list_display = ("result", "candidate", "votes")
    raw_id_fields = ("result",)
