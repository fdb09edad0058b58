# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""What the reseller's and the provider's usage panels share.

Both read the same answer shape (see ``api.mercador.Usage``): per project
and in total, the current usage, its maximum and average over a period and
the samples stored in it. A panel names its subject (a bound region, a
binding), how to list the subjects and how to read one's usage; the form,
the table, the CSV export and the charts are here.

The charts are SVG drawn on the server: numbers are placed by Python, and
the remote names (resource classes, projects) reach the page only through
Django's auto-escaping, so no JavaScript library and no HTML built from
remote data.
"""

import datetime

from django import forms as django_forms
from django.utils import text
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from horizon import exceptions
from horizon import forms
from horizon import tables
from horizon.utils import csvbase

from mercador_dashboard import views as mercador_views

#: The longest period the usage routes answer for.
MAX_PERIOD = datetime.timedelta(days=31)
DEFAULT_DAYS = 1
ISO_FORMAT = '%Y-%m-%dT%H:%M:%SZ'


def _parse(text):
    if not text:
        return None
    return datetime.datetime.strptime(text, ISO_FORMAT).replace(
        tzinfo=datetime.timezone.utc)


class UsageForm(forms.DateForm):
    """The subject (a bound region, a binding) and the days of the period;
    the period ends at the end of ``end`` (or now, for today)."""
    subject = django_forms.ChoiceField(label=_("Region"))

    def __init__(self, *args, **kwargs):
        choices = kwargs.pop('subjects')
        subject_label = kwargs.pop('subject_label')
        super().__init__(*args, **kwargs)
        self.fields['subject'].choices = choices
        self.fields['subject'].label = subject_label

    def clean(self):
        data = super().clean()
        start, end = data.get('start'), data.get('end')
        if start and end:
            if start > end:
                raise django_forms.ValidationError(
                    _("The start of the period must be before its end."))
            if end - start >= MAX_PERIOD:
                raise django_forms.ValidationError(
                    _("A usage period is at most %d days.")
                    % MAX_PERIOD.days)
        return data

    def period(self):
        """``(start, end)`` as aware UTC datetimes."""
        now = timezone.now().astimezone(datetime.timezone.utc)
        start = datetime.datetime.combine(
            self.cleaned_data['start'], datetime.time(),
            tzinfo=datetime.timezone.utc)
        end = datetime.datetime.combine(
            self.cleaned_data['end'] + datetime.timedelta(days=1),
            datetime.time(), tzinfo=datetime.timezone.utc)
        return start, min(end, now)


def rows(usage):
    """One row per project and resource class, as the CLI lists them."""
    result = []
    for project in usage.projects or ():
        current = project.get('current') or {}
        period = project.get('period') or {}
        for resource in sorted(set(current) | set(period)):
            stats = period.get(resource) or {}
            result.append({
                'id': '%s:%s' % (project['project_id'], resource),
                'project_id': project['project_id'],
                'project_name': project.get('project_name') or '',
                'resource': resource,
                'current': current.get(resource, 0),
                'max': stats.get('max'),
                'average': stats.get('average'),
            })
    return result


def totals(usage):
    total = usage.total or {}
    current = total.get('current') or {}
    period = total.get('period') or {}
    return [{'resource': resource,
             'current': current.get(resource, 0),
             'max': (period.get(resource) or {}).get('max'),
             'average': (period.get(resource) or {}).get('average')}
            for resource in sorted(set(current) | set(period))]


# The charts' geometry, in SVG user units.
WIDTH, HEIGHT = 560, 150
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 12, 28


def charts(usage):
    """One chart per resource class of the total's samples over the
    period: ``[{'resource', 'points', 'dots', 'max', 'start', 'end',
    ...}]``; no chart for a period without samples."""
    start, end = _parse(usage.start), _parse(usage.end)
    samples = [(_parse(s['sampled_at']), s.get('usages') or {})
               for s in (usage.total or {}).get('samples') or ()]
    if not samples:
        return []
    start = start or samples[0][0]
    end = end or samples[-1][0]
    span = max((end - start).total_seconds(), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    resources = sorted({r for _when, usages in samples for r in usages})
    result = []
    for resource in resources:
        values = [(when, usages.get(resource, 0)) for when, usages in samples]
        top = max(v for _w, v in values) or 1
        points = []
        for when, value in values:
            x = LEFT + plot_w * min(max(
                (when - start).total_seconds() / span, 0), 1)
            y = TOP + plot_h * (1 - value / top)
            points.append((round(x, 1), round(y, 1), value, when))
        result.append({
            'resource': resource,
            'points': ' '.join('%s,%s' % (x, y) for x, y, _v, _w in points),
            # Markers while they stay readable.
            'dots': points if len(points) <= 60 else [],
            'max': top, 'count': len(points),
            'start': start, 'end': end,
            'width': WIDTH, 'height': HEIGHT, 'left': LEFT,
            'right': WIDTH - RIGHT, 'top': TOP, 'bottom': HEIGHT - BOTTOM,
            'label_y': HEIGHT - 8,
        })
    return result


def _number(value):
    if value is None:
        return ''
    if isinstance(value, float) and not value.is_integer():
        return '%.2f' % value
    return '%d' % value


class UsageTable(tables.DataTable):
    project = tables.Column('project_name', verbose_name=_("Project"),
                            classes=('usage-project',))
    project_id = tables.Column('project_id', verbose_name=_("Project ID"))
    resource = tables.Column('resource', verbose_name=_("Resource"))
    current = tables.Column('current', verbose_name=_("Current"),
                            filters=(_number,), classes=('usage-current',))
    max = tables.Column('max', verbose_name=_("Max"), filters=(_number,))
    average = tables.Column('average', verbose_name=_("Average"),
                            filters=(_number,))

    def get_object_id(self, datum):
        return datum['id']

    class Meta(object):
        name = 'usage'
        verbose_name = _("Usage per Project")


class ProviderUsageTable(UsageTable):
    """The provider knows projects by reference only."""

    class Meta(UsageTable.Meta):
        columns = ('project_id', 'resource', 'current', 'max', 'average')


class UsageCsvResponse(csvbase.BaseCsvResponse):
    columns = [_("Project ID"), _("Project"), _("Resource"), _("Current"),
               _("Max"), _("Average")]

    def get_row_data(self):
        for row in self.context['rows']:
            yield (row['project_id'], row['project_name'], row['resource'],
                   _number(row['current']), _number(row['max']),
                   _number(row['average']))


class UsageView(mercador_views.PolicyMixin, tables.DataTableView):
    """A usage page: the form, a summary, charts, the table, CSV.

    Subclasses set ``subject_label`` and implement ``list_subjects()``
    (``[(id, label)]``) and ``get_usage(subject_id, start, end)``.
    """
    template_name = 'mercador/usage.html'
    csv_template_name = 'mercador/usage.csv'
    table_class = UsageTable
    subject_label = _("Region")
    usage = None

    def list_subjects(self):
        raise NotImplementedError

    def get_usage(self, subject_id, start, end):
        raise NotImplementedError

    def _form(self, subjects):
        today = timezone.now().astimezone(datetime.timezone.utc).date()
        initial = {'start': today - datetime.timedelta(days=DEFAULT_DAYS),
                   'end': today,
                   'subject': subjects[0][0] if subjects else None}
        data = dict(initial, **self.request.GET.dict())
        return UsageForm(data, subjects=subjects,
                         subject_label=self.subject_label)

    def get_data(self):
        # The CSV export falls back on the page (with its messages): read
        # once per request.
        if not hasattr(self, '_rows'):
            self._rows = self._read()
        return self._rows

    def _read(self):
        try:
            subjects = self.list_subjects()
        except Exception:
            subjects = []
            exceptions.handle(self.request,
                              _("Unable to retrieve the regions."),
                              details='')
        self.form = self._form(subjects)
        if not subjects:
            return []
        if not self.form.is_valid():
            # The form shows why.
            return []
        start, end = self.form.period()
        try:
            self.usage = self.get_usage(self.form.cleaned_data['subject'],
                                        start.strftime(ISO_FORMAT),
                                        end.strftime(ISO_FORMAT))
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve the usage."),
                              details='')
            return []
        return rows(self.usage)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['form'] = self.form
        context['usage'] = self.usage
        if self.usage is not None:
            context['totals'] = totals(self.usage)
            context['charts'] = charts(self.usage)
            context['csv_query'] = self.request.GET.copy()
            context['csv_query']['format'] = 'csv'
            context['csv_query'] = context['csv_query'].urlencode()
        return context

    def _subject_name(self):
        chosen = self.form.cleaned_data['subject']
        return dict(self.form.fields['subject'].choices).get(chosen, chosen)

    def get(self, request, *args, **kwargs):
        if request.GET.get('format') == 'csv':
            data = self.get_data()
            if self.usage is not None:
                return UsageCsvResponse(
                    request, self.csv_template_name,
                    {'usage': self.usage, 'rows': data,
                     'subject': self._subject_name()}, 'text/csv',
                    filename='usage-%s.csv' % text.slugify(
                        self.form.cleaned_data['subject']))
        return super().get(request, *args, **kwargs)
